package net.kimik2.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
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
import java.util.stream.Stream;
import org.axonframework.serialization.Revision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Module and capability boundaries. Modules are told apart by package root (net.kimik2.api = core-api,
 * .command, .runtime = model-runtime, .query, .graphql, .axon = axon-config, .app); capabilities are the second
 * package level.
 */
class ArchitectureTest {

    private static final String API = "net.kimik2.api..";
    private static final String COMMAND = "net.kimik2.command..";
    private static final String QUERY = "net.kimik2.query..";
    private static final String GRAPHQL = "net.kimik2.graphql..";
    private static final String AXON = "net.kimik2.axon..";
    private static final String RUNTIME = "net.kimik2.runtime..";
    private static final String APP = "net.kimik2.app..";
    private static final String BENCH = "net.kimik2.bench..";

    private static final List<String> CAPABILITIES =
            List.of("accounts", "credits", "conversations", "payments", "privacy", "audit");

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
                "net.kimik2.axon.", "net.kimik2.runtime.")) {
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
                        "org.bson..", COMMAND, QUERY, GRAPHQL, AXON, RUNTIME, APP, BENCH)
                .check(classes);
    }

    @Test
    void graphqlTalksToTheRestOnlyThroughCoreApiMessages() {
        noClasses().that().resideInAPackage(GRAPHQL)
                .should().dependOnClassesThat().resideInAnyPackage(COMMAND, QUERY, AXON, RUNTIME)
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
    Stream<DynamicTest> capabilitiesOfAModuleDoNotDependOnEachOther() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String module : List.of("command", "runtime", "query", "graphql")) {
            for (String capability : CAPABILITIES) {
                String[] others = CAPABILITIES.stream().filter(c -> !c.equals(capability))
                        .map(c -> "net.kimik2." + module + "." + c + "..").toArray(String[]::new);
                ArchRule rule = noClasses().that().resideInAPackage("net.kimik2." + module + "." + capability + "..")
                        .should().dependOnClassesThat().resideInAnyPackage(others)
                        .because("capabilities communicate through core-api messages; platform is shared")
                        .allowEmptyShould(true);
                tests.add(DynamicTest.dynamicTest(module + "." + capability, () -> rule.check(classes)));
            }
        }
        return tests.stream();
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
