package net.kimik2.runtime.conversations;

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
import net.kimik2.axon.platform.NodeSignals;
import net.kimik2.shredding.privacy.FieldCipher;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The answers being streamed, chunk by chunk, in memory only (they are personal data; the answer reaches storage
 * once, encrypted, in its event). A subscriber gets every chunk so far and then each new one, so joining late loses
 * nothing; a finished stream stays here for {@code kimi.prompts.stream-retention}. With several nodes, the streams
 * of prompts that other nodes run are kept here as well, fed by the {@link PromptStreamRelay} (ADR 0025).
 */
@Component
class PromptStreams implements AutoCloseable, PromptStreamRelay.Receiver {

    private static final Logger log = LoggerFactory.getLogger(PromptStreams.class);

    private final QueryUpdateEmitter emitter;
    private final Duration retention;
    /** Deltas are coalesced into at most one frame per interval: chat clients render a few per 100 ms anyway. */
    private final long frameNanos;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "prompt-streams-janitor");
        t.setDaemon(true);
        return t;
    });

    private final PromptStreamRelay relay;
    private static final Duration RELAY_WAIT = Duration.ofMillis(500);

    @Autowired
    PromptStreams(QueryUpdateEmitter emitter,
                  @Value("${kimi.prompts.stream-retention:PT10M}") Duration retention,
                  @Value("${kimi.prompts.stream-frame-interval:PT0.05S}") Duration frameInterval,
                  NodeSignals signals, FieldCipher cipher) {
        this.emitter = emitter;
        this.retention = retention;
        this.frameNanos = frameInterval.toNanos();
        this.relay = new PromptStreamRelay(signals, cipher, this);
    }

    PromptStreams(QueryUpdateEmitter emitter, Duration retention, Duration frameInterval) {
        this(emitter, retention, frameInterval, NodeSignals.NONE, null);
    }

    private static final class Stream {
        final String conversationId;
        final String userId;
        final List<PromptChunkView> chunks = new ArrayList<>();
        /** Text received but not yet sent as a chunk, and when the last chunk went out. */
        final StringBuilder pending = new StringBuilder();
        long lastEmitNanos;
        boolean flushScheduled;
        boolean done;
        /** Run by another node: fed by its relayed parts, never relayed again. */
        final boolean remote;
        /** Local: the next relay part number; remote: the next part number expected. */
        long relaySeq;

        Stream(String conversationId, String userId, boolean remote) {
            this.conversationId = conversationId;
            this.userId = userId;
            this.remote = remote;
        }
    }

    void open(String promptId, String conversationId, String userId) {
        if (streams.putIfAbsent(promptId, new Stream(conversationId, userId, false)) == null && relay.active()) {
            relay.open(promptId, conversationId, userId);
        }
    }

    @Override
    public void opened(String promptId, String conversationId, String userId) {
        streams.putIfAbsent(promptId, new Stream(conversationId, userId, true));
    }

    /** A part of a chunk streamed by another node: shown to this node's subscribers as a chunk of its own. */
    @Override
    public void part(String promptId, String conversationId, String userId, long seq, PromptStreamRelay.Part part) {
        Stream stream = streams.computeIfAbsent(promptId, id -> new Stream(conversationId, userId, true));
        synchronized (stream) {
            if (!stream.remote || stream.done || seq < stream.relaySeq) {
                return;
            }
            if (seq > stream.relaySeq) {
                log.warn("prompt {}: {} relayed part(s) missed", promptId, seq - stream.relaySeq);
            }
            stream.relaySeq = seq + 1;
            emit(promptId, stream, part.text(), part.done(), part.usage(), part.failure());
            if (part.done()) {
                stream.done = true;
                emitter.complete(StreamPromptQuery.class, q -> q.promptId().equals(promptId));
            }
        }
        if (part.done()) {
            janitor.schedule(() -> streams.remove(promptId), retention.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void forget(String promptId) {
        streams.remove(promptId);
    }

    /**
     * The first delta goes out at once (time to first token); later ones within the frame interval are gathered and
     * sent together when it ends, or with the final chunk, whichever comes first.
     */
    void delta(String promptId, String text) {
        Stream stream = streams.get(promptId);
        if (stream == null || stream.remote || text.isEmpty()) {
            return;
        }
        synchronized (stream) {
            if (stream.done) {
                return;
            }
            stream.pending.append(text);
            long sinceLast = System.nanoTime() - stream.lastEmitNanos;
            if (stream.chunks.isEmpty() || sinceLast >= frameNanos) {
                emitPending(promptId, stream);
            } else if (!stream.flushScheduled) {
                stream.flushScheduled = true;
                janitor.schedule(() -> flush(promptId), frameNanos - sinceLast, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void flush(String promptId) {
        Stream stream = streams.get(promptId);
        if (stream == null) {
            return;
        }
        synchronized (stream) {
            stream.flushScheduled = false;
            if (!stream.done && stream.pending.length() > 0) {
                emitPending(promptId, stream);
            }
        }
    }

    void finish(String promptId, TokenUsage usage) {
        end(promptId, usage, null);
    }

    void fail(String promptId, PromptFailureCode code) {
        end(promptId, null, code);
    }

    private void end(String promptId, TokenUsage usage, PromptFailureCode failure) {
        Stream stream = streams.get(promptId);
        if (stream == null || stream.remote) {
            return;
        }
        synchronized (stream) {
            if (stream.done) {
                return;
            }
            if (stream.pending.length() > 0) {
                emitPending(promptId, stream);
            }
            emit(promptId, stream, "", true, usage, failure);
            stream.done = true;
            emitter.complete(StreamPromptQuery.class, q -> q.promptId().equals(promptId));
        }
        janitor.schedule(() -> streams.remove(promptId), retention.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void emitPending(String promptId, Stream stream) {
        String text = stream.pending.toString();
        stream.pending.setLength(0);
        emit(promptId, stream, text, false, null, null);
    }

    /** Called holding the stream's lock, so that subscribers see chunks in order. */
    private void emit(String promptId, Stream stream, String text, boolean done, TokenUsage usage,
                      PromptFailureCode failure) {
        PromptChunkView chunk = new PromptChunkView(promptId, stream.conversationId, stream.userId,
                stream.chunks.size(), text, done, usage, failure);
        stream.chunks.add(chunk);
        stream.lastEmitNanos = System.nanoTime();
        emitter.emit(StreamPromptQuery.class, q -> q.promptId().equals(promptId), chunk);
        if (!stream.remote && relay.active()) {
            stream.relaySeq = relay.send(promptId, stream.conversationId, stream.userId, stream.relaySeq,
                    new PromptStreamRelay.Part(text, done, usage, failure));
        }
    }

    @QueryHandler
    PromptStreamSnapshot handle(StreamPromptQuery query) {
        Stream stream = streams.get(query.promptId());
        if (stream == null && relay.active()) {
            stream = awaitRelayed(query.promptId());
        }
        if (stream == null || !stream.userId.equals(query.userId())) {
            return PromptStreamSnapshot.notFound(); // someone else's prompt answers like a missing one
        }
        synchronized (stream) {
            return new PromptStreamSnapshot(true, List.copyOf(stream.chunks));
        }
    }

    /**
     * A prompt accepted on another node a moment ago may be announced here a moment after its acceptance reached the
     * client: wait briefly for the announcement before answering "not streaming" (then the stored answer is shown).
     */
    private Stream awaitRelayed(String promptId) {
        long until = System.nanoTime() + RELAY_WAIT.toNanos();
        Stream stream = null;
        while (stream == null && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            stream = streams.get(promptId);
        }
        return stream;
    }

    int size() {
        return streams.size();
    }

    @Override
    public void close() {
        janitor.shutdownNow();
    }
}
