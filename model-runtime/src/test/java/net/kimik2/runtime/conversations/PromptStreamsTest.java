package net.kimik2.runtime.conversations;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptStreamSnapshot;
import net.kimik2.api.conversations.StreamPromptQuery;
import net.kimik2.api.conversations.TokenUsage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.GenericSubscriptionQueryMessage;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PromptStreamsTest {

    private final SimpleQueryUpdateEmitter emitter = SimpleQueryUpdateEmitter.builder().build();
    private final PromptStreams streams = new PromptStreams(emitter, Duration.ofMinutes(10), Duration.ofMillis(100));

    @AfterEach
    void close() {
        streams.close();
    }

    @Test
    void aLateSubscriberGetsEveryChunkFromTheFirstAndNothingAfterTheEnd() {
        streams.open("p-1", "c-1", "u-1");
        streams.delta("p-1", "Hel");
        streams.delta("p-1", "lo");
        TokenUsage usage = new TokenUsage(10, 0, 2, 25, "2026-01", false);
        streams.finish("p-1", usage);
        streams.delta("p-1", "ignored after the end");

        PromptStreamSnapshot snapshot = streams.handle(new StreamPromptQuery("p-1", "u-1"));
        assertThat(snapshot.found()).isTrue();
        assertThat(snapshot.done()).isTrue();
        assertThat(snapshot.chunks()).extracting(PromptChunkView::seq).containsExactly(0, 1, 2);
        assertThat(snapshot.chunks()).extracting(PromptChunkView::delta).containsExactly("Hel", "lo", "");
        assertThat(snapshot.chunks().get(2).usage()).isEqualTo(usage);
    }

    @Test
    void someoneElsesPromptAnswersLikeAMissingOne() {
        streams.open("p-1", "c-1", "u-1");
        streams.delta("p-1", "secret");
        assertThat(streams.handle(new StreamPromptQuery("p-1", "u-2"))).isEqualTo(PromptStreamSnapshot.notFound());
        assertThat(streams.handle(new StreamPromptQuery("p-x", "u-1"))).isEqualTo(PromptStreamSnapshot.notFound());
    }

    @Test
    void liveSubscribersGetEachChunkInOrderAndThenCompletion() {
        streams.open("p-1", "c-1", "u-1");
        var query = new GenericSubscriptionQueryMessage<>(new StreamPromptQuery("p-1", "u-1"),
                ResponseTypes.instanceOf(PromptStreamSnapshot.class), ResponseTypes.instanceOf(PromptChunkView.class));
        var registration = emitter.registerUpdateHandler(query, 1024);
        List<PromptChunkView> received = new ArrayList<>();
        boolean[] completed = {false};
        registration.getUpdates().subscribe(u -> received.add((PromptChunkView) u.getPayload()), e -> { },
                () -> completed[0] = true);

        streams.delta("p-1", "a");
        streams.delta("p-1", "b");
        streams.fail("p-1", PromptFailureCode.STREAM_CUT);

        assertThat(received).extracting(PromptChunkView::delta).containsExactly("a", "b", "");
        assertThat(received.get(2).done()).isTrue();
        assertThat(received.get(2).failureCode()).isEqualTo(PromptFailureCode.STREAM_CUT);
        assertThat(completed[0]).isTrue();
    }

    @Test
    void deltasWithinOneFrameIntervalGoOutAsOneChunkAndNothingIsLost() {
        // a frame far longer than the loop below, so a slow machine cannot split it
        PromptStreams streams = new PromptStreams(emitter, Duration.ofMinutes(10), Duration.ofSeconds(30));
        try {
            streams.open("p-1", "c-1", "u-1");
            for (int i = 0; i < 20; i++) {
                streams.delta("p-1", "t" + i + " ");
            }
            streams.finish("p-1", new TokenUsage(10, 0, 20, 25, "2026-01", false));
            assertFramed(streams.handle(new StreamPromptQuery("p-1", "u-1")).chunks());
        } finally {
            streams.close();
        }
    }

    private static void assertFramed(List<PromptChunkView> chunks) {
        // the first at once, the other 19 gathered within the frame, then the end
        assertThat(chunks).hasSize(3);
        assertThat(chunks).extracting(PromptChunkView::seq).containsExactly(0, 1, 2);
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.delta()));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            expected.append("t").append(i).append(" ");
        }
        assertThat(text.toString()).isEqualTo(expected.toString());
    }

    @Test
    void gatheredDeltasAreSentWhenTheFrameEndsEvenIfTheModelPauses() throws Exception {
        streams.open("p-1", "c-1", "u-1");
        streams.delta("p-1", "a");
        streams.delta("p-1", "b");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (streams.handle(new StreamPromptQuery("p-1", "u-1")).chunks().size() < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(streams.handle(new StreamPromptQuery("p-1", "u-1")).chunks())
                .extracting(PromptChunkView::delta).containsExactly("a", "b");
    }
}
