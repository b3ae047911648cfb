package net.kimik2.command.conversations;

import java.util.List;

/**
 * Local token estimates, used only where the provider has not reported usage (credit holds, the offline model,
 * usage of a stream without a usage report). Deliberately on the high side: about 4 characters per token for
 * ASCII text, one token per non-ASCII code point (CJK text is about 1-2 characters per token), plus the chat
 * format's per-message overhead.
 */
public final class TokenEstimator {

    /** Tokens the chat format adds per message (role, separators). */
    public static final int PER_MESSAGE_OVERHEAD = 4;
    /** Tokens the chat format adds once per request (priming of the assistant's reply). */
    public static final int PER_REQUEST_OVERHEAD = 3;

    private TokenEstimator() {
    }

    /** Estimated tokens of a text: ceil(ascii chars / 4) + non-ASCII code points. */
    public static int estimateTokens(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        long ascii = 0;
        long other = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (cp < 0x80) {
                ascii++;
            } else {
                other++;
            }
            i += Character.charCount(cp);
        }
        return Math.toIntExact((ascii + 3) / 4 + other);
    }

    /** Estimated prompt tokens of a conversation, including the chat format's overhead. */
    public static int estimatePromptTokens(List<ChatMessage> messages) {
        long total = PER_REQUEST_OVERHEAD;
        for (ChatMessage message : messages) {
            total += PER_MESSAGE_OVERHEAD + estimateTokens(message.content());
        }
        return Math.toIntExact(Math.min(total, Integer.MAX_VALUE));
    }
}
