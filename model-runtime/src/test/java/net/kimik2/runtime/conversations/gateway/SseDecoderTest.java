package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.Usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private final List<String> events = new ArrayList<>();
    private int comments;
    private final SseDecoder.Handler handler = new SseDecoder.Handler() {
        @Override
        public void onEvent(String event, String data) {
            events.add((event == null ? "" : event + "|") + data);
        }

        @Override
        public void onComment() {
            comments++;
        }
    };

    private void feedBytewise(SseDecoder decoder, String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            decoder.feed(ByteBuffer.wrap(new byte[] {b}), handler);
        }
    }

    @Test
    void splitsEventsOnBlankLinesWhateverTheBufferBoundaries() {
        SseDecoder decoder = new SseDecoder(1024, 4096);
        feedBytewise(decoder, "\uFEFFdata: {\"a\":\"你好\"}\n\n: keep-alive\n\ndata:x\r\n\r\nevent: error\ndata: {}\n\n"
                + "data: one\ndata: two\n\nid: 7\nretry: 10\n\ndata: [DONE]\n\n");

        assertThat(events).containsExactly("{\"a\":\"你好\"}", "x", "error|{}", "one\ntwo", "[DONE]");
        assertThat(comments).isEqualTo(1);
    }

    @Test
    void dispatchesAnUnterminatedLastEventAtTheEnd() {
        SseDecoder decoder = new SseDecoder(1024, 4096);
        decoder.feed(ByteBuffer.wrap("data: [DONE]".getBytes(StandardCharsets.UTF_8)), handler);
        assertThat(events).isEmpty();

        decoder.finish(handler);

        assertThat(events).containsExactly("[DONE]");
    }

    @Test
    void refusesAnEndlessLine() {
        SseDecoder decoder = new SseDecoder(64, 4096);
        assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(new byte[100]), handler))
                .isInstanceOf(SseDecoder.SseProtocolException.class);
    }

    @Test
    void parsesChunksOfBothUsageShapes() {
        ObjectMapper mapper = new ObjectMapper();
        StreamChunk moonshot = StreamChunk.parse(mapper, "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"finish_reason\":\"stop\",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,"
                + "\"total_tokens\":12,\"cached_tokens\":5}}]}");
        StreamChunk openAi = StreamChunk.parse(mapper, "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
                + "\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":4}}}");
        StreamChunk nullUsage = StreamChunk.parse(mapper, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\","
                + "\"reasoning_content\":null},\"finish_reason\":null}],\"usage\":null}");
        StreamChunk overCached = StreamChunk.parse(mapper, "{\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1,"
                + "\"cached_tokens\":5}}");

        assertThat(moonshot.usage()).isEqualTo(new Usage(9, 5, 3));
        assertThat(moonshot.finishReason()).isEqualTo("stop");
        assertThat(moonshot.model()).isEqualTo("m");
        assertThat(openAi.usage()).isEqualTo(new Usage(9, 4, 3));
        assertThat(nullUsage.usage()).isNull();
        assertThat(nullUsage.content()).isEqualTo("hi");
        assertThat(nullUsage.reasoning()).isNull();
        assertThat(overCached.usage()).isEqualTo(new Usage(2, 2, 1));
        assertThat(overCached.cachedClamped()).isTrue();
    }

    @Test
    void errorObjectsYieldOnlyASanitizedType() {
        StreamChunk error = StreamChunk.parse(new ObjectMapper(),
                "{\"error\":{\"message\":\"secret prompt text\",\"type\":\"bad type <x>\"}}");

        assertThat(error.isError()).isTrue();
        assertThat(error.errorType()).isEqualTo("bad_type__x_");
    }

    @Test
    void malformedChunksDoNotLeakTheirContent() {
        assertThatThrownBy(() -> StreamChunk.parse(new ObjectMapper(), "{\"secret"))
                .isInstanceOf(StreamChunk.MalformedChunkException.class)
                .hasMessageNotContaining("secret");
    }
}
