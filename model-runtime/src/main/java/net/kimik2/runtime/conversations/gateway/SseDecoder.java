package net.kimik2.runtime.conversations.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental decoder of a {@code text/event-stream} body (the WHATWG server-sent events format), fed with the
 * raw byte buffers as they arrive.
 *
 * <p>Lines end with LF or CRLF (a lone CR is not treated as a line end: no OpenAI-compatible server sends one).
 * Lines are split on the LF byte before UTF-8 decoding, which is safe because 0x0A never occurs inside a multi-byte
 * UTF-8 sequence, so characters split across network buffers decode correctly. {@code data:} lines accumulate
 * (joined with LF) until a blank line dispatches the event; lines starting with {@code :} are comments
 * (keep-alives) and are reported separately; {@code event:} names the next event; other fields are ignored.
 * At end of stream a pending event without its terminating blank line is still dispatched (lenient: the JSON parser
 * rejects a truncated payload anyway).
 */
final class SseDecoder {

    interface Handler {
        /** One complete event; {@code event} is null for the default "message" type. */
        void onEvent(String event, String data);

        default void onComment() {
        }
    }

    static final class SseProtocolException extends RuntimeException {
        SseProtocolException(String message) {
            super(message, null, false, false);
        }
    }

    private final int maxLineBytes;
    private final int maxEventChars;
    private byte[] line;
    private int lineLength;
    private boolean firstLine = true;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventName;

    SseDecoder(int maxLineBytes, int maxEventChars) {
        this.maxLineBytes = maxLineBytes;
        this.maxEventChars = maxEventChars;
        this.line = new byte[Math.min(256, maxLineBytes)];
    }

    void feed(ByteBuffer buffer, Handler handler) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n') {
                int end = lineLength;
                if (end > 0 && line[end - 1] == '\r') {
                    end--;
                }
                String text = new String(line, 0, end, StandardCharsets.UTF_8);
                lineLength = 0;
                processLine(text, handler);
            } else {
                if (lineLength >= maxLineBytes) {
                    throw new SseProtocolException("event-stream line longer than " + maxLineBytes + " bytes");
                }
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
                }
                line[lineLength++] = b;
            }
        }
    }

    /** End of stream: processes an unterminated last line and dispatches a pending event. */
    void finish(Handler handler) {
        if (lineLength > 0) {
            int end = lineLength;
            if (line[end - 1] == '\r') {
                end--;
            }
            String text = new String(line, 0, end, StandardCharsets.UTF_8);
            lineLength = 0;
            processLine(text, handler);
        }
        dispatch(handler);
    }

    private void processLine(String text, Handler handler) {
        if (firstLine) {
            firstLine = false;
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch(handler);
            return;
        }
        if (text.charAt(0) == ':') {
            handler.onComment();
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
                if (data.length() > maxEventChars) {
                    throw new SseProtocolException("event-stream event longer than " + maxEventChars + " chars");
                }
            }
            case "event" -> eventName = value;
            default -> {
                // id, retry and unknown fields carry nothing we need
            }
        }
    }

    private void dispatch(Handler handler) {
        if (hasData) {
            String payload = data.toString();
            String name = eventName;
            data.setLength(0);
            hasData = false;
            eventName = null;
            handler.onEvent(name, payload);
        } else {
            eventName = null;
        }
    }
}
