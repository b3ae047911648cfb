package net.kimik2.command.platform;

import java.time.Instant;
import java.util.Set;

/**
 * One retention rule (ADR 0021), implemented by any capability that keeps data about people. The sweep runs every rule bean in turn; a rule shreds or removes what is older than
 * its period at {@code now}, skipping the people under a legal hold, and answers how many items it handled. Rules
 * must be idempotent: a run repeated after a crash may meet what a previous run already shredded.
 */
public interface RetentionRule {

    /** The rule's name in the recorded runs (counts only). */
    String name();

    int apply(Instant now, Set<String> heldUserIds);
}
