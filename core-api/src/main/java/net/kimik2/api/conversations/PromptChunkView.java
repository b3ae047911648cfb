package net.kimik2.api.conversations;

import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/**
 * One piece of a streamed answer, numbered from 0. The last has {@code done} and either {@code usage} or a
 * {@code failureCode}. Held in memory only while the answer streams; never stored.
 */
public record PromptChunkView(
        String promptId,
        @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        String userId,
        int seq,
        @PersonalData String delta,
        boolean done,
        TokenUsage usage,
        PromptFailureCode failureCode) {

    @Override
    public String toString() {
        return "PromptChunkView[promptId=" + promptId + ", seq=" + seq + ", done=" + done + "]";
    }
}
