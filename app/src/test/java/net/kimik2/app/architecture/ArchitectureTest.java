package net.kimik2.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.NotPersisted;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.serialization.Revision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Module and capability boundaries. Modules are told apart by package root (net.kimik2.api = core-api,
 * .command, .runtime = model-runtime, .shredding = crypto-shredding, .query, .graphql, .axon = axon-config, .app);
 * capabilities are the next package level.
 */
class ArchitectureTest {

    private static final String API = "net.kimik2.api..";
    private static final String COMMAND = "net.kimik2.command..";
    private static final String QUERY = "net.kimik2.query..";
    private static final String GRAPHQL = "net.kimik2.graphql..";
    private static final String AXON = "net.kimik2.axon..";
    private static final String RUNTIME = "net.kimik2.runtime..";
    private static final String SHREDDING = "net.kimik2.shredding..";
    private static final String APP = "net.kimik2.app..";
    private static final String BENCH = "net.kimik2.bench..";
    private static final String STRIPE = "net.kimik2.stripe..";

    private static final List<String> CAPABILITIES =
            List.of("accounts", "credits", "conversations", "payments", "privacy", "audit", "apikeys");

    /**
     * Where each capability lives, per module (issue 16): every home named here must exist, so a rule about it
     * cannot pass by checking nothing. A capability gets a home here when it gets code.
     */
    private static final Map<String, List<String>> HOMES = Map.of(
            "api", List.of("accounts", "credits", "conversations", "privacy", "audit", "platform", "apikeys", "payments"),
            "command", List.of("accounts", "credits", "conversations", "privacy", "platform", "apikeys", "payments", "audit"),
            "runtime", List.of("conversations"),
            "shredding", List.of("privacy"),
            "query", List.of("accounts", "credits", "conversations", "privacy", "audit", "platform", "payments"),
            "graphql", List.of("accounts", "credits", "conversations", "privacy", "audit", "platform", "apikeys", "payments"),
            "axon", List.of("platform"),
            "stripe", List.of("payments"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("net.kimik2");
    }

    @Test
    void everyModuleIsOnTheClasspath() {
        // guards the other rules against passing vacuously because a module was not imported
        for (String root : List.of("net.kimik2.api.", "net.kimik2.command.", "net.kimik2.query.", "net.kimik2.graphql.",
                "net.kimik2.axon.", "net.kimik2.runtime.", "net.kimik2.shredding.", "net.kimik2.stripe.")) {
            if (classes.stream().noneMatch(c -> c.getPackageName().startsWith(root))) {
                throw new AssertionError("no classes imported under " + root);
            }
        }
    }

    @Test
    void dependencyRulesSeeRealDependencies() {
        // every side uses core-api messages; if this rule passed, the importer would be blind to dependencies
        ArchRule impossible = noClasses().that().resideInAnyPackage(COMMAND, QUERY, GRAPHQL)
                .should().dependOnClassesThat().resideInAPackage(API);
        assertThatThrownBy(() -> impossible.check(classes)).isInstanceOf(AssertionError.class);
    }

    @Test
    void coreApiDependsOnNoFrameworkButAxonAndOnNoOtherModule() {
        noClasses().that().resideInAPackage(API)
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "com.mongodb..",
                        "org.bson..", COMMAND, QUERY, GRAPHQL, AXON, RUNTIME, SHREDDING, APP, BENCH, STRIPE)
                .check(classes);
    }

    @Test
    void graphqlTalksToTheRestOnlyThroughCoreApiMessages() {
        noClasses().that().resideInAPackage(GRAPHQL)
                .should().dependOnClassesThat().resideInAnyPackage(COMMAND, QUERY, AXON, RUNTIME, SHREDDING)
                .check(classes);
    }

    @Test
    void domainCodeImportsNoModelRuntime() {
        noClasses().that().resideInAPackage(COMMAND)
                .should().dependOnClassesThat().resideInAnyPackage(RUNTIME, "java.net.http..",
                        "com.sun.net.httpserver..")
                .because("the domain reaches the model only through its ModelRuntime port (issue 11)")
                .check(classes);
    }

    @Test
    void theModelRuntimeImplementsTheDomainsPortAndTouchesNoViewsOrApi() {
        noClasses().that().resideInAPackage(RUNTIME)
                .should().dependOnClassesThat().resideInAnyPackage(QUERY, GRAPHQL)
                .check(classes);
        // the importer sees the runtime's use of the port: a rule forbidding it must fail
        ArchRule impossible = noClasses().that().resideInAPackage(RUNTIME)
                .should().dependOnClassesThat().resideInAPackage("net.kimik2.command.conversations");
        assertThatThrownBy(() -> impossible.check(classes)).isInstanceOf(AssertionError.class);
    }

    @Test
    void stripeLivesInItsAdapterOnly() {
        noClasses().that().resideOutsideOfPackages(STRIPE)
                .should().dependOnClassesThat().resideInAPackage("com.stripe..")
                .because("the domain reaches Stripe only through its StripeGateway port (issue 10)")
                .check(classes);
        noClasses().that().resideInAPackage(STRIPE)
                .should().dependOnClassesThat().resideInAnyPackage(QUERY, GRAPHQL, RUNTIME)
                .check(classes);
    }

    @Test
    void commandSideDoesNotDependOnQuerySideOrGraphql() {
        noClasses().that().resideInAPackage(COMMAND)
                .should().dependOnClassesThat().resideInAnyPackage(QUERY, GRAPHQL)
                .check(classes);
    }

    @Test
    void querySideDoesNotDependOnCommandSideOrGraphql() {
        noClasses().that().resideInAPackage(QUERY)
                .should().dependOnClassesThat().resideInAnyPackage(COMMAND, GRAPHQL)
                .check(classes);
    }

    @TestFactory
    Stream<DynamicTest> everyNamedHomeExists() {
        return HOMES.entrySet().stream().flatMap(e -> e.getValue().stream().map(capability -> {
            String pkg = "net.kimik2." + e.getKey() + "." + capability;
            return DynamicTest.dynamicTest(pkg, () -> {
                if (classes.stream().noneMatch(c -> c.getPackageName().equals(pkg)
                        || c.getPackageName().startsWith(pkg + "."))) {
                    throw new AssertionError("no classes in " + pkg + ": a rule that names it would check nothing");
                }
            });
        }));
    }

    @Test
    void everyFirstLevelPackageIsACapabilityOrPlatform() {
        for (JavaClass c : classes) {
            String[] parts = c.getPackageName().split("\\.");
            if (parts.length < 4 || parts[2].equals("app") || parts[2].equals("bench") || parts[2].equals("testsupport")) {
                continue;
            }
            if (!parts[3].equals("platform") && !CAPABILITIES.contains(parts[3])) {
                throw new AssertionError(c.getName() + " is not under a capability or platform package");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> capabilitiesOfAModuleDoNotDependOnEachOther() {
        List<DynamicTest> tests = new ArrayList<>();
        for (var home : HOMES.entrySet()) {
            for (String capability : home.getValue()) {
                if (capability.equals("platform")) {
                    continue;
                }
                String[] others = CAPABILITIES.stream().filter(c -> !c.equals(capability))
                        .map(c -> "net.kimik2." + home.getKey() + "." + c + "..").toArray(String[]::new);
                // the personal-data markers are privacy's vocabulary that every capability's messages use
                ArchRule rule = noClasses().that()
                        .resideInAPackage("net.kimik2." + home.getKey() + "." + capability + "..")
                        .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage(others)
                                .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(PersonalData.class,
                                        DataSubject.class, NotPersisted.class))))
                        .because("capabilities communicate through core-api messages; platform is shared");
                tests.add(DynamicTest.dynamicTest(home.getKey() + "." + capability, () -> rule.check(classes)));
            }
        }
        return tests.stream();
    }

    @Test
    void platformAndWiringHoldNoMessageHandlers() {
        noMethods().that().areDeclaredInClassesThat().resideInAnyPackage("net.kimik2.*.platform..", AXON)
                .should().beAnnotatedWith(CommandHandler.class)
                .orShould().beAnnotatedWith(EventHandler.class)
                .orShould().beAnnotatedWith(QueryHandler.class)
                .orShould().beAnnotatedWith(DeadlineHandler.class)
                .because("infrastructure holds no business handlers; each handler lives with its capability")
                .check(classes);
    }

    @Test
    void theCryptoEngineLivesInCryptoShreddingOnly() {
        // keyed hashes (Mac) for lookups and tokens are not encryption and may live with their capability
        noClasses().that().resideOutsideOfPackages(SHREDDING, BENCH)
                .should().dependOnClassesThat().belongToAnyOf(javax.crypto.Cipher.class,
                        javax.crypto.spec.GCMParameterSpec.class, javax.crypto.KeyGenerator.class)
                .because("ciphers, keys and the vault are the crypto-shredding module's; others use its API")
                .check(classes);
    }

    @Test
    void coreApiMessagesAreRecords() {
        classes().that().resideInAPackage(API)
                .and().areTopLevelClasses()
                .and(haveSimpleNameEndingWithAnyOf("Command", "Event", "Query", "View"))
                .should(beRecords())
                .check(classes);
    }

    @Test
    void coreApiEventsCarryARevision() {
        classes().that().resideInAPackage(API)
                .and().haveSimpleNameEndingWith("Event")
                .should().beAnnotatedWith(Revision.class)
                .because("stored events need a revision for upcasting")
                .check(classes);
    }

    private static DescribedPredicate<JavaClass> haveSimpleNameEndingWithAnyOf(String... suffixes) {
        return DescribedPredicate.describe("have simple name ending with any of " + String.join(", ", suffixes),
                c -> Stream.of(suffixes).anyMatch(c.getSimpleName()::endsWith));
    }

    private static ArchCondition<JavaClass> beRecords() {
        return new ArchCondition<>("be records") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                events.add(new SimpleConditionEvent(item, item.isRecord(),
                        item.getName() + (item.isRecord() ? " is" : " is not") + " a record"));
            }
        };
    }
}
