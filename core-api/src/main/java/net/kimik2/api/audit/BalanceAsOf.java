package net.kimik2.api.audit;

import java.time.Instant;
import java.util.List;

/** A person's credits as the log says they stood at {@code at}: the totals and every ledger event until then. */
public record BalanceAsOf(String userId, Instant at, long available, long held, long spent, List<Entry> entries) {

    public BalanceAsOf {
        entries = List.copyOf(entries);
    }

    /** One ledger event: its stable type name, signed effect on available credits, and time. */
    public record Entry(long sequence, String type, long amount, Instant timestamp) {
    }
}
