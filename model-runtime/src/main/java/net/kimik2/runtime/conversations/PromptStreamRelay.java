package net.kimik2.runtime.conversations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.axon.platform.NodeSignals;
import net.kimik2.shredding.privacy.FieldCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the answers streamed on this node to the other nodes and theirs to this one (ADR 0025), so that a
 * {@code promptStream} subscriber on any node gets every chunk live. A signal names the prompt, its conversation and
 * its person by id only; the chunk itself (text, usage, failure) travels encrypted under the conversation's key,
 * so no answer text reaches the database in clear, and an erased conversation's chunks cannot be read. Long chunks
 * go in several parts (PostgreSQL's notification limit); parts carry a sequence number per prompt.
 */
final class PromptStreamRelay {

    static final String TOPIC = "prompt-stream";
    /** At most 6 bytes per char once JSON-escaped, then base64: well under the signal limit. */
    static final int PART_CHARS = 800;
    private static final String FIELD = "promptStream";
    private static final Logger log = LoggerFactory.getLogger(PromptStreamRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A chunk as it travels, before encryption. */
    record Part(String text, boolean done, TokenUsage usage, PromptFailureCode failure) {
    }

    /** What another node streamed: opened (part null) or one more part. */
    interface Receiver {
        void opened(String promptId, String conversationId, String userId);

        void part(String promptId, String conversationId, String userId, long seq, Part part);
    }

    private final NodeSignals signals;
    private final FieldCipher cipher;

    PromptStreamRelay(NodeSignals signals, FieldCipher cipher, Receiver receiver) {
        this.signals = signals;
        this.cipher = cipher;
        if (signals.distributed()) {
            signals.subscribe(TOPIC, body -> receive(body, receiver));
        }
    }

    boolean active() {
        return signals.distributed();
    }

    void open(String promptId, String conversationId, String userId) {
        signals.publish(TOPIC, String.join("|", "o", promptId, conversationId, userId));
    }

    /** Sends one chunk as parts numbered from {@code firstSeq}; answers the next free number. */
    long send(String promptId, String conversationId, String userId, long firstSeq, Part chunk) {
        List<Part> parts = split(chunk);
        long seq = firstSeq;
        try {
            for (Part part : parts) {
                String envelope = cipher.encryptString(scope(conversationId), userId, FIELD,
                        JSON.writeValueAsString(part));
                signals.publish(TOPIC, String.join("|", "p", promptId, conversationId, userId,
                        Long.toString(seq++), envelope));
            }
        } catch (JsonProcessingException | RuntimeException e) {
            // e.g. the conversation was erased meanwhile: other nodes' subscribers fall back to the stored answer
            log.warn("prompt {} chunk not relayed: {}", promptId, e.getClass().getSimpleName());
        }
        return seq;
    }

    private static List<Part> split(Part chunk) {
        String text = chunk.text();
        if (text.length() <= PART_CHARS) {
            return List.of(chunk);
        }
        List<Part> parts = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + PART_CHARS);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--; // never split a surrogate pair
            }
            boolean last = end == text.length();
            parts.add(new Part(text.substring(start, end), last && chunk.done(), last ? chunk.usage() : null,
                    last ? chunk.failure() : null));
            start = end;
        }
        return parts;
    }

    private void receive(String body, Receiver receiver) {
        String[] f = body.split("\\|", 6);
        if (f.length == 4 && f[0].equals("o")) {
            receiver.opened(f[1], f[2], f[3]);
        } else if (f.length == 6 && f[0].equals("p")) {
            Optional<String> json = cipher.decryptString(scope(f[2]), FIELD, f[5]);
            if (json.isEmpty()) {
                return; // erased: nothing to show
            }
            try {
                receiver.part(f[1], f[2], f[3], Long.parseLong(f[4]), JSON.readValue(json.get(), Part.class));
            } catch (JsonProcessingException | NumberFormatException e) {
                log.warn("prompt {} relayed chunk unreadable: {}", f[1], e.getClass().getSimpleName());
            }
        }
    }

    private static String scope(String conversationId) {
        return "conversation:" + conversationId;
    }
}
