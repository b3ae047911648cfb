package net.kimik2.graphql.conversations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import net.kimik2.api.conversations.FindPromptAnswerQuery;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptStreamSnapshot;
import net.kimik2.api.conversations.StreamPromptQuery;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.graphql.ControllerTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.execution.SubscriptionPublisherException;
import org.springframework.graphql.test.tester.GraphQlTester;
import reactor.core.publisher.Flux;

/** The promptStream subscription: snapshot then live chunks, the stored answer, and who may see it. */
class PromptStreamTest extends ControllerTest {

    private static final String PROMPT_ID = "5eed0000-0000-4000-8000-000000000001";
    private static final TokenUsage USAGE = new TokenUsage(10, 0, 3, 777L, "v1", false);

    private final AtomicBoolean cancelled = new AtomicBoolean();

    private static PromptChunkView chunk(int seq, String delta) {
        return new PromptChunkView(PROMPT_ID, "c-1", USER_ID, seq, delta, false, null, null);
    }

    private static PromptChunkView last(int seq) {
        return new PromptChunkView(PROMPT_ID, "c-1", USER_ID, seq, "", true, USAGE, null);
    }

    private void streaming(List<PromptChunkView> snapshot, Flux<PromptChunkView> live) {
        queries.onSubscription(StreamPromptQuery.class, q -> new PromptStreamSnapshot(true, snapshot), live,
                () -> cancelled.set(true));
    }

    private List<GraphQlTester.Response> subscribe() {
        return graphQlTester.documentName("promptStream").variable("promptId", PROMPT_ID).executeSubscription()
                .toFlux().collectList().block(java.time.Duration.ofSeconds(10));
    }

    private static List<Integer> seqs(List<GraphQlTester.Response> chunks) {
        return chunks.stream().map(r -> r.path("promptStream.seq").entity(Integer.class).get()).toList();
    }

    @Test
    void aLateSubscriberGetsTheChunksSoFarThenTheLiveOnesUntilTheLast() {
        signInAsUser();
        streaming(List.of(chunk(0, "Hel"), chunk(1, "lo")),
                Flux.just(chunk(1, "lo"), chunk(2, " world"), last(3), chunk(4, "after the end")));

        List<GraphQlTester.Response> chunks = subscribe();

        assertThat(seqs(chunks)).containsExactly(0, 1, 2, 3);
        assertThat(chunks.stream().map(r -> r.path("promptStream.delta").entity(String.class).get()))
                .containsExactly("Hel", "lo", " world", "");
        chunks.get(0).path("promptStream.promptId").entity(String.class).isEqualTo(PROMPT_ID)
                .path("promptStream.done").entity(Boolean.class).isEqualTo(false)
                .path("promptStream.usage").valueIsNull();
        chunks.get(3).path("promptStream.done").entity(Boolean.class).isEqualTo(true)
                .path("promptStream.usage.promptTokens").entity(Integer.class).isEqualTo(10)
                .path("promptStream.usage.completionTokens").entity(Integer.class).isEqualTo(3)
                .path("promptStream.usage.costCredits").entity(Long.class).isEqualTo(777L)
                .path("promptStream.failureCode").valueIsNull();
        assertThat(queries.askedOne(StreamPromptQuery.class)).isEqualTo(new StreamPromptQuery(PROMPT_ID, USER_ID));
    }

    @Test
    void aFinishedStreamIsAnsweredFromItsSnapshotAndTheSubscriptionQueryIsClosed() {
        signInAsUser();
        streaming(List.of(chunk(0, "Hi"), last(1)), Flux.never());

        assertThat(seqs(subscribe())).containsExactly(0, 1);
        assertThat(cancelled).isTrue();
    }

    @Test
    void aFailedAnswerEndsWithItsFailureCode() {
        signInAsUser();
        streaming(List.of(), Flux.just(new PromptChunkView(PROMPT_ID, "c-1", USER_ID, 0, "", true, null,
                PromptFailureCode.UPSTREAM_ERROR)));

        List<GraphQlTester.Response> chunks = subscribe();

        assertThat(chunks).hasSize(1);
        chunks.get(0).path("promptStream.done").entity(Boolean.class).isEqualTo(true)
                .path("promptStream.failureCode").entity(String.class).isEqualTo("UPSTREAM_ERROR")
                .path("promptStream.usage").valueIsNull();
    }

    @Test
    void aPromptNoLongerStreamingIsAnsweredWithItsStoredAnswerInOneChunk() {
        signInAsUser();
        queries.onSubscription(StreamPromptQuery.class, q -> PromptStreamSnapshot.notFound(), Flux.never(),
                () -> cancelled.set(true));
        queries.on(FindPromptAnswerQuery.class, q -> Optional.of(new PromptChunkView(PROMPT_ID, "c-1", USER_ID, 0,
                "The whole answer", true, USAGE, null)));

        List<GraphQlTester.Response> chunks = subscribe();

        assertThat(chunks).hasSize(1);
        chunks.get(0).path("promptStream.delta").entity(String.class).isEqualTo("The whole answer")
                .path("promptStream.done").entity(Boolean.class).isEqualTo(true);
        assertThat(queries.askedOne(FindPromptAnswerQuery.class))
                .isEqualTo(new FindPromptAnswerQuery(PROMPT_ID, USER_ID));
        assertThat(cancelled).isTrue();
    }

    @Test
    void aPromptThatIsMissingOrSomeoneElsesIsNotFound() {
        signInAsUser();
        queries.onSubscription(StreamPromptQuery.class, q -> PromptStreamSnapshot.notFound(), Flux.never(),
                () -> cancelled.set(true));
        queries.on(FindPromptAnswerQuery.class, q -> Optional.empty());

        assertSubscriptionError("NOT_FOUND", "no such prompt");
    }

    @Test
    void aMalformedPromptIdIsNotFoundWithoutAQuery() {
        signInAsUser();

        assertThatThrownBy(() -> graphQlTester.documentName("promptStream").variable("promptId", "not/an/id")
                .executeSubscription().toFlux().blockLast())
                .isInstanceOfSatisfying(SubscriptionPublisherException.class, e -> assertThat(e.getErrors())
                        .singleElement().satisfies(error -> assertThat(error.getExtensions())
                                .containsOnly(java.util.Map.entry("code", "NOT_FOUND"))));
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void promptStreamNeedsACaller() {
        assertSubscriptionError("UNAUTHENTICATED", "sign in first");
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void aStreamThatFailsAfterItStartedEndsWithAnErrorThatHidesItsCause() {
        signInAsUser();
        streaming(List.of(chunk(0, "Hel")), Flux.error(new IllegalStateException("broker at 10.0.0.7 gone")));

        assertThatThrownBy(() -> graphQlTester.documentName("promptStream").variable("promptId", PROMPT_ID)
                .executeSubscription().toFlux().blockLast())
                .isInstanceOfSatisfying(SubscriptionPublisherException.class, e -> assertThat(e.getErrors())
                        .singleElement().satisfies(error -> {
                            assertThat(error.getExtensions()).containsEntry("code", "INTERNAL_ERROR")
                                    .containsKey("errorId");
                            assertThat(error.getMessage()).startsWith("internal error (id ")
                                    .doesNotContain("10.0.0.7");
                        }));
        assertThat(cancelled).isTrue();
    }

    private void assertSubscriptionError(String code, String message) {
        assertThatThrownBy(() -> graphQlTester.documentName("promptStream").variable("promptId", PROMPT_ID)
                .executeSubscription().toFlux().blockLast())
                .isInstanceOfSatisfying(SubscriptionPublisherException.class, e -> assertThat(e.getErrors())
                        .singleElement().satisfies(error -> {
                            assertThat(error.getExtensions()).containsOnly(java.util.Map.entry("code", code));
                            assertThat(error.getMessage()).isEqualTo(message);
                        }));
    }
}
