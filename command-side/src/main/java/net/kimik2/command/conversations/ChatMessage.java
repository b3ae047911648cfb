package net.kimik2.command.conversations;

import java.util.Objects;

/** One message of a conversation as the model sees it: {@code role} is system, user or assistant. */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** Never prints the content: it is personal data. */
    @Override
    public String toString() {
        return "ChatMessage[role=" + role + ", chars=" + content.length() + "]";
    }
}
