package net.kimik2.shredding.privacy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/** Test-only message shapes covering every nesting the protector supports. */
final class TestMessages {

    private TestMessages() {
    }

    record Address(@PersonalData String street, String countryCode) {
    }

    record Note(@PersonalData String text, int stars) {
    }

    record Profile(
            @DataSubject String userId,
            @PersonalData String name,
            Address address,
            @PersonalData Address previousAddress,
            List<Note> notes,
            Map<String, Note> notesByTopic,
            @PersonalData List<String> tags,
            @PersonalData Map<String, String> attributes,
            @PersonalData(replacement = "[gone]") String nickname,
            @PersonalData Integer birthYear,
            @PersonalData boolean vip,
            int loginCount,
            Instant createdAt) {
    }

    /** A conversation-scoped message whose scope is owned by a user. */
    record PromptSent(
            @DataSubject(scope = "conversation", owner = "userId") String conversationId,
            String userId,
            @PersonalData String prompt) {
    }

    /** No personal data at all: must take the plain Jackson path. */
    record Counted(String id, long amount, Instant at, List<String> labels) {
    }

    /** Personal data but no data subject and not nested anywhere: must fail closed. */
    record Orphan(String id, @PersonalData String email) {
    }
}
