package net.kimik2.api.audit;

import java.time.LocalDate;
import java.util.List;

/** One day of the service: answered prompts, their tokens, credits captured, and credits granted by source. */
public record DailyActivity(LocalDate day, long prompts, long tokens, long creditsCaptured, long creditsGranted,
                            List<GrantsBySource> grantsBySource) {

    public DailyActivity {
        grantsBySource = List.copyOf(grantsBySource);
    }

    public record GrantsBySource(String source, long credits) {
    }
}
