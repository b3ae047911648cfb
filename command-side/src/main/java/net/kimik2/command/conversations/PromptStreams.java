package net.kimik2.command.conversations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptStreamSnapshot;
import net.kimik2.api.conversations.StreamPromptQuery;
import net.kimik2.api.conversations.TokenUsage;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.springframework.stereotype.Component;

/**
 * The answers being streamed on this node, chunk by chunk, in memory only (they are personal data; the answer
 * reaches storage once, encrypted, in its event). A subscriber gets every chunk so far and then each new one, so
 * joining late loses nothing; a finished stream stays here for {@link PromptSettings#streamRetention}.
 */
@Component
class PromptStreams implements AutoCloseable {

    private final QueryUpdateEmitter emitter;
    private final Duration retention;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "prompt-streams-janitor");
        t.setDaemon(true);
        return t;
    });

    PromptStreams(QueryUpdateEmitter emitter, PromptSettings settings) {
        this.emitter = emitter;
        this.retention = settings.streamRetention;
    }

    private static final class Stream {
        final String conversationId;
        final String userId;
        final List<PromptChunkView> chunks = new ArrayList<>();
        boolean done;

        Stream(String conversationId, String userId) {
            this.conversationId = conversationId;
            this.userId = userId;
        }
    }

    void open(String promptId, String conversationId, String userId) {
        streams.putIfAbsent(promptId, new Stream(conversationId, userId));
    }

    void forget(String promptId) {
        streams.remove(promptId);
    }

    void delta(String promptId, String text) {
        add(promptId, text, false, null, null);
    }

    void finish(String promptId, TokenUsage usage) {
        add(promptId, "", true, usage, null);
    }

    void fail(String promptId, PromptFailureCode code) {
        add(promptId, "", true, null, code);
    }

    private void add(String promptId, String text, boolean done, TokenUsage usage, PromptFailureCode failure) {
        Stream stream = streams.get(promptId);
        if (stream == null) {
            return;
        }
        PromptChunkView chunk;
        synchronized (stream) {
            if (stream.done) {
                return;
            }
            chunk = new PromptChunkView(promptId, stream.conversationId, stream.userId, stream.chunks.size(), text,
                    done, usage, failure);
            stream.chunks.add(chunk);
            stream.done = done;
            // emitted under the lock so that subscribers see chunks in order
            emitter.emit(StreamPromptQuery.class, q -> q.promptId().equals(promptId), chunk);
            if (done) {
                emitter.complete(StreamPromptQuery.class, q -> q.promptId().equals(promptId));
            }
        }
        if (done) {
            janitor.schedule(() -> streams.remove(promptId), retention.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @QueryHandler
    PromptStreamSnapshot handle(StreamPromptQuery query) {
        Stream stream = streams.get(query.promptId());
        if (stream == null || !stream.userId.equals(query.userId())) {
            return PromptStreamSnapshot.notFound(); // someone else's prompt answers like a missing one
        }
        synchronized (stream) {
            return new PromptStreamSnapshot(true, List.copyOf(stream.chunks));
        }
    }

    int size() {
        return streams.size();
    }

    @Override
    public void close() {
        janitor.shutdownNow();
    }
}
