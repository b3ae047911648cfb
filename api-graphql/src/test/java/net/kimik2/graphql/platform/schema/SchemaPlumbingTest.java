package net.kimik2.graphql.platform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.kimik2.graphql.ControllerTest;
import org.junit.jupiter.api.Test;

/** ping and noop, and what every operation shares: the limits on depth and complexity. */
class SchemaPlumbingTest extends ControllerTest {

    @Test
    void pingAnswersTrueWithoutSigningIn() {
        graphQlTester.documentName("ping").execute().path("ping").entity(Boolean.class).isEqualTo(true);
    }

    @Test
    void noopAnswersTrue() {
        graphQlTester.documentName("noop").execute().path("noop").entity(Boolean.class).isEqualTo(true);
    }

    @Test
    void anOperationMoreComplexThan500FieldsIsRefusedBeforeItRuns() {
        String fields = IntStream.range(0, 501).mapToObj(i -> "p" + i + ": ping").collect(Collectors.joining(" "));
        graphQlTester.document("query tooComplex { " + fields + " }").execute()
                .errors().satisfy(errors -> assertThat(errors).singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("complexity")))
                .path("p0").pathDoesNotExist();
    }

    @Test
    void anOperationDeeperThan12IsRefusedBeforeItRuns() {
        String deep = "{ name ofType ".repeat(12) + "{ name }" + " }".repeat(12);
        graphQlTester.document("query tooDeep { __schema { types { fields { type " + deep + " } } } }").execute()
                .errors().satisfy(errors -> assertThat(errors).singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("depth")))
                .path("__schema").pathDoesNotExist();
    }

    @Test
    void theLimitsStillApplyToADocumentSeenBefore() {
        // the second time, the document comes from the parsed-document cache
        for (int attempt = 0; attempt < 2; attempt++) {
            anOperationMoreComplexThan500FieldsIsRefusedBeforeItRuns();
            anOperationDeeperThan12IsRefusedBeforeItRuns();
        }
    }

    @Test
    void anInvalidDocumentStaysInvalidAndAValidOneKeepsWorking() {
        for (int attempt = 0; attempt < 2; attempt++) {
            graphQlTester.document("query bad { ping noSuchField }").execute()
                    .errors().satisfy(errors -> assertThat(errors).singleElement()
                            .satisfies(e -> assertThat(e.getMessage()).contains("noSuchField")));
            graphQlTester.documentName("ping").execute().path("ping").entity(Boolean.class).isEqualTo(true);
        }
    }
}
