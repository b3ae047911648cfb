package net.kimik2.api.conversations;

import java.util.List;

/** The chunks of a prompt's answer so far; {@code found} is false for a missing prompt or someone else's. */
public record PromptStreamSnapshot(boolean found, List<PromptChunkView> chunks) {

    public static PromptStreamSnapshot notFound() {
        return new PromptStreamSnapshot(false, List.of());
    }

    public boolean done() {
        return !chunks.isEmpty() && chunks.get(chunks.size() - 1).done();
    }
}
