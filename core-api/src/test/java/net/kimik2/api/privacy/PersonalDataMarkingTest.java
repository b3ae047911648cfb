package net.kimik2.api.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Walks every message type of {@code net.kimik2.api} (commands, events, queries, views) and fails when a component
 * that looks personal is not protected, when protected data has no data subject, or when the markings are
 * inconsistent. See docs: /work/shared/design/personal-data.md, "Marking fields".
 */
class PersonalDataMarkingTest {

    /** Words (case-insensitive, substring of the component name) that suggest personal data. */
    private static final List<String> PERSONAL_WORDS = List.of("name", "email", "mail", "address", "useragent",
            "agent", "content", "prompt", "title", "username", "password", "phone", "text", "label", "card", "last4",
            "billing", "nickname", "note", "answer",
            // beyond the brief's list: words that name free text typed by people
            "reason", "comment", "description", "message", "source", "reference");
    /** Short words, matched as a whole camel-case token only ("ip" in "ipAddress", not in "description"). */
    private static final List<String> PERSONAL_TOKENS = List.of("ip");

    /**
     * Components whose name looks personal but whose value is not, one reason each. Keep minimal: a genuinely
     * unprotected value is a bug to fix, never an entry here.
     */
    private static final Map<String, String> ALLOWLIST = Map.of(
            "DomainError.message", "fixed text chosen by the code; DomainError is documented never to echo input",
            "ViewProcessorStatus.name", "the name of an Axon processing group, a code identifier",
            "GrantCreditsCommand.source", "an origin code: signup or admin:<reason code [a-z0-9_-]{1,40}>, never free text",
            "CreditsGrantedEvent.source", "the same origin code, validated before the command is sent",
            "LedgerEntryView.reference", "the view copy of CreditsGrantedEvent.source, an origin code",
            "AnswerRecordedEvent.finishReason", "the provider's finish_reason code (stop, length, ...)",
            "CompletePromptCommand.finishReason", "the provider's finish_reason code (stop, length, ...)",
            "DailyActivity.grantsBySource", "sums per CreditsGrantedEvent.source origin code, no personal value",
            "GrantsBySource.source", "a CreditsGrantedEvent.source origin code");

    /**
     * Reported main-code bugs (NOT allowlisted): the live rules skip exactly these so that every other type stays
     * guarded, {@link #liveRulesStillSeeEveryKnownBug()} fails once one is fixed (remove it here then), and
     * {@link #strictlyNoViolationsAtAll()} is the disabled strict form to enable when the list is empty.
     */
    private static final Map<String, String> KNOWN_BUGS = Map.of();

    private static List<Class<?>> scanned;

    @BeforeAll
    static void scan() throws Exception {
        URI mainClasses = PersonalData.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        try (ScanResult result = new ClassGraph().enableClassInfo().acceptPackages("net.kimik2.api").scan()) {
            scanned = new ArrayList<>();
            for (ClassInfo info : result.getAllClasses()) {
                // only the module's own classes: never this test's deliberately broken fixtures
                if (mainClasses.equals(info.getClasspathElementURI())) {
                    scanned.add(info.loadClass());
                }
            }
        }
    }

    // ---- the rules --------------------------------------------------------------------------------------------

    /** Every violation of every rule, as "rule: Type.component -> explanation". */
    static Map<String, String> violations(Collection<Class<?>> types) {
        Map<String, String> found = new LinkedHashMap<>();
        List<Class<?>> records = types.stream().filter(Class::isRecord).toList();
        for (Class<?> type : records) {
            boolean notPersisted = type.isAnnotationPresent(NotPersisted.class);
            String simple = type.getSimpleName();
            if (notPersisted && !(simple.endsWith("Command") || simple.endsWith("Query"))) {
                found.put("np: " + simple, "@NotPersisted is only for *Command / *Query types that are never stored");
            }
            List<RecordComponent> subjects = new ArrayList<>();
            for (RecordComponent c : type.getRecordComponents()) {
                String key = simple + "." + c.getName();
                boolean personal = c.isAnnotationPresent(PersonalData.class);
                if (c.isAnnotationPresent(DataSubject.class)) {
                    subjects.add(c);
                    if (personal) {
                        found.put("c: " + key, "a @DataSubject is a generated id, it cannot be @PersonalData");
                    }
                    if (c.getType() != String.class) {
                        found.put("c: " + key, "a @DataSubject must be a String id, is " + c.getType().getSimpleName());
                    }
                    checkOwner(type, c, found);
                }
                if (!personal && looksPersonal(c) && !notPersisted && !protectsItself(c.getGenericType(), new HashSet<>())
                        && !ALLOWLIST.containsKey(key)) {
                    found.put("a: " + key, "name suggests personal data: mark it @PersonalData (and name a "
                            + "@DataSubject), or add it to the allowlist with a reason if it truly is not personal");
                }
            }
            if (subjects.size() > 1) {
                found.put("c: " + simple, "has " + subjects.size() + " @DataSubject components ("
                        + subjects.stream().map(RecordComponent::getName).collect(Collectors.joining(", "))
                        + "); a type has at most one");
            }
        }
        // rule b: protected data needs a subject, its own or that of every type it is nested in
        Map<Class<?>, Set<Class<?>>> usedBy = new LinkedHashMap<>();
        for (Class<?> type : records) {
            for (RecordComponent c : type.getRecordComponents()) {
                if (!c.isAnnotationPresent(PersonalData.class)) {
                    for (Class<?> nested : nestedTypes(c.getGenericType())) {
                        usedBy.computeIfAbsent(nested, k -> new LinkedHashSet<>()).add(type);
                    }
                }
            }
        }
        for (Class<?> type : records) {
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.isAnnotationPresent(PersonalData.class) && !hasSubjectContext(type, usedBy, new HashSet<>())) {
                    String users = usedBy.getOrDefault(type, Set.of()).stream().map(Class::getSimpleName)
                            .collect(Collectors.joining(", "));
                    found.put("b: " + type.getSimpleName() + "." + c.getName(), "is @PersonalData but "
                            + type.getSimpleName() + " has no @DataSubject"
                            + (users.isEmpty() ? " and is not nested in a type that has one"
                            : " and is nested in a type without one (" + users + ")"));
                }
            }
        }
        return found;
    }

    private static void checkOwner(Class<?> type, RecordComponent subject, Map<String, String> found) {
        DataSubject ds = subject.getAnnotation(DataSubject.class);
        String key = "c: " + type.getSimpleName() + "." + subject.getName();
        if (ds.scope().isBlank() || ds.scope().contains(":")) {
            found.put(key, "scope kind must be a plain word, is '" + ds.scope() + "'");
        }
        if (!ds.owner().isEmpty() && java.util.Arrays.stream(type.getRecordComponents())
                .noneMatch(c -> c.getName().equals(ds.owner()))) {
            found.put(key, "owner '" + ds.owner() + "' names no component of " + type.getSimpleName());
        }
        if (!"user".equals(ds.scope()) && ds.owner().isEmpty()) {
            found.put(key, "a '" + ds.scope() + "' scope needs an owner, or erasing the user would not shred it");
        }
    }

    static boolean looksPersonal(RecordComponent c) {
        String name = c.getName();
        if (name.endsWith("Id") || name.endsWith("Ids") || name.endsWith("At")) {
            return false; // generated ids and times
        }
        Class<?> raw = c.getType();
        if (raw.isEnum() || Temporal.class.isAssignableFrom(raw) || raw == boolean.class || raw == Boolean.class) {
            return false;
        }
        if (raw.isPrimitive() || Number.class.isAssignableFrom(raw)) {
            return false; // a count or an amount (promptTokens, contextLength) cannot carry typed-in text
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (PERSONAL_WORDS.stream().anyMatch(lower::contains)) {
            return true;
        }
        Set<String> tokens = java.util.Arrays.stream(name.split("(?<=[a-z0-9])(?=[A-Z])|_"))
                .map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        return PERSONAL_TOKENS.stream().anyMatch(tokens::contains);
    }

    /** True for a record (or list / map / array / optional of records) that protects its own fields. */
    static boolean protectsItself(Type type, Set<Class<?>> visiting) {
        List<Class<?>> nested = nestedTypes(type);
        return !nested.isEmpty() && nested.stream().allMatch(t -> protects(t, visiting));
    }

    private static boolean protects(Class<?> type, Set<Class<?>> visiting) {
        if (!type.isRecord() || !visiting.add(type)) {
            return false;
        }
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.isAnnotationPresent(PersonalData.class) || protectsItself(c.getGenericType(), visiting)) {
                return true;
            }
        }
        return false;
    }

    /** The record types carried by a component: itself, or its list element / map value / array component. */
    static List<Class<?>> nestedTypes(Type type) {
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                return nestedTypes(c.getComponentType());
            }
            return c.isRecord() ? List.of(c) : List.of();
        }
        if (type instanceof GenericArrayType g) {
            return nestedTypes(g.getGenericComponentType());
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && (Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw) || raw == Optional.class)) {
            Type[] args = p.getActualTypeArguments();
            return nestedTypes(args[args.length - 1]);
        }
        return List.of();
    }

    private static boolean hasSubjectContext(Class<?> type, Map<Class<?>, Set<Class<?>>> usedBy, Set<Class<?>> seen) {
        if (java.util.Arrays.stream(type.getRecordComponents()).anyMatch(c -> c.isAnnotationPresent(DataSubject.class))) {
            return true;
        }
        Set<Class<?>> users = usedBy.getOrDefault(type, Set.of());
        if (users.isEmpty() || !seen.add(type)) {
            return false;
        }
        return users.stream().allMatch(user -> hasSubjectContext(user, usedBy, seen));
    }

    private static String describe(Map<String, String> violations) {
        return violations.entrySet().stream().map(e -> "  " + e.getKey() + " -> " + e.getValue())
                .collect(Collectors.joining("\n", "\n", "\n"));
    }

    private static Map<String, String> liveViolations() {
        Map<String, String> live = new LinkedHashMap<>(violations(scanned));
        KNOWN_BUGS.keySet().forEach(live::remove);
        return live;
    }

    // ---- the checks over the real message types ----------------------------------------------------------------

    @Test
    void theScanSeesTheMessageTypes() {
        List<String> names = scanned.stream().map(Class::getSimpleName).toList();
        assertThat(scanned.stream().filter(Class::isRecord).count()).as("records scanned: %s", names)
                .isGreaterThan(20);
        assertThat(names).contains("AccountRegisteredEvent", "RegisterAccountCommand", "AccountView",
                "RequestErasureCommand", "ErasureCertificate", "LedgerEntryView", "LoginCommand")
                .doesNotContain(getClass().getSimpleName(), "Leaky");
    }

    @Test
    void personalLookingComponentsAreProtected() {
        Map<String, String> rule = filter(liveViolations(), "a: ");
        assertThat(rule).as("unprotected personal-looking components:%s", describe(rule)).isEmpty();
    }

    @Test
    void personalDataAlwaysHasADataSubject() {
        Map<String, String> rule = filter(liveViolations(), "b: ");
        assertThat(rule).as("personal data without a subject:%s", describe(rule)).isEmpty();
    }

    @Test
    void dataSubjectMarkingsAreConsistent() {
        Map<String, String> rule = filter(liveViolations(), "c: ");
        assertThat(rule).as("@DataSubject problems:%s", describe(rule)).isEmpty();
    }

    @Test
    void notPersistedIsOnlyOnCommandsAndQueries() {
        Map<String, String> rule = filter(liveViolations(), "np: ");
        assertThat(rule).as("@NotPersisted misuse:%s", describe(rule)).isEmpty();
        assertThat(scanned.stream().filter(t -> t.isAnnotationPresent(NotPersisted.class)).map(Class::getSimpleName))
                .allSatisfy(n -> assertThat(n).matches(".*(Command|Query)"));
    }

    @Test
    void allowlistHasNoStaleEntries() {
        Map<String, Class<?>> bySimpleName = scanned.stream().filter(Class::isRecord)
                .collect(Collectors.toMap(Class::getSimpleName, t -> t, (a, b) -> a));
        for (String entry : ALLOWLIST.keySet()) {
            String[] parts = entry.split("\\.");
            Class<?> type = bySimpleName.get(parts[0]);
            assertThat(type).as("allowlisted type of %s exists", entry).isNotNull();
            RecordComponent c = java.util.Arrays.stream(type.getRecordComponents())
                    .filter(rc -> rc.getName().equals(parts[1])).findFirst().orElse(null);
            assertThat(c).as("allowlisted component %s exists", entry).isNotNull();
            assertThat(looksPersonal(c) && !c.isAnnotationPresent(PersonalData.class))
                    .as("%s would be flagged without its allowlist entry (else remove the entry)", entry).isTrue();
        }
    }

    @Test
    void liveRulesStillSeeEveryKnownBug() {
        Map<String, String> all = violations(scanned);
        Set<String> fixed = new TreeSet<>(KNOWN_BUGS.keySet());
        fixed.removeAll(all.keySet());
        assertThat(fixed).as("these reported bugs are fixed now: remove them from KNOWN_BUGS").isEmpty();
    }

    @Test
    void strictlyNoViolationsAtAll() {
        Map<String, String> all = violations(scanned);
        assertThat(all).as("violations:%s", describe(all)).isEmpty();
    }

    private static Map<String, String> filter(Map<String, String> violations, String prefix) {
        return violations.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    // ---- the detector itself must be able to fail ---------------------------------------------------------------

    record LeakyAddress(String street, String city) {
    }

    record LeakyEvent(@DataSubject String userId, String email, String ipAddress, String userAgent,
                      List<String> noteTexts, String description, LeakyAddress homeAddress) {
    }

    record NoSubjectEvent(String id, @PersonalData String name) {
    }

    record TwoSubjectsEvent(@DataSubject String userId, @DataSubject String otherUserId, @PersonalData String name) {
    }

    record OwnerlessConversationEvent(@DataSubject(scope = "conversation") String conversationId,
                                      @PersonalData String prompt) {
    }

    @NotPersisted
    record SneakyEvent(String password) {
    }

    record SafeAddress(@PersonalData String street, String countryCode) {
    }

    record SafeItem(@PersonalData String text) {
    }

    record SafeEvent(@DataSubject String userId, @PersonalData String name, SafeAddress address, List<SafeItem> items,
                     Map<String, SafeItem> itemsByKey, String conversationId, java.time.Instant createdAt,
                     int loginCount) {
    }

    @NotPersisted
    record SafeLoginQuery(String usernameOrEmail, String password) {
    }

    record Wrapper(SafeItem item) { // SafeItem nested in a type without a subject
    }

    @Test
    void theDetectorFlagsDeliberatelyBrokenTypes() {
        Map<String, String> found = violations(List.of(LeakyEvent.class, LeakyAddress.class, NoSubjectEvent.class,
                TwoSubjectsEvent.class, OwnerlessConversationEvent.class, SneakyEvent.class));

        assertThat(found.keySet()).contains(
                "a: LeakyEvent.email", "a: LeakyEvent.ipAddress", "a: LeakyEvent.userAgent", "a: LeakyEvent.noteTexts",
                "a: LeakyEvent.description", "a: LeakyEvent.homeAddress", "b: NoSubjectEvent.name",
                "c: TwoSubjectsEvent", "c: OwnerlessConversationEvent.conversationId", "np: SneakyEvent");
        assertThat(found.keySet()).doesNotContain("a: LeakyEvent.userId", "a: SneakyEvent.password");
        assertThat(describe(found)).contains("LeakyEvent.email");
    }

    @Test
    void theDetectorAcceptsCorrectlyMarkedTypes() {
        Map<String, String> found = violations(List.of(SafeEvent.class, SafeAddress.class, SafeItem.class,
                SafeLoginQuery.class));
        assertThat(found).as("violations:%s", describe(found)).isEmpty();
    }

    @Test
    void aNestedTypeNeedsASubjectInEveryTypeThatCarriesIt() {
        // SafeItem is fine inside SafeEvent, but Wrapper carries it without any subject
        Map<String, String> found = violations(List.of(SafeEvent.class, SafeItem.class, Wrapper.class));
        assertThat(found).containsOnlyKeys("b: SafeItem.text");
        assertThat(found.get("b: SafeItem.text")).contains("Wrapper");
    }
}
