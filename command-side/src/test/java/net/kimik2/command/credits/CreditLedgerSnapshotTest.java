package net.kimik2.command.credits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import net.kimik2.api.credits.BucketDraw;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.ReleaseCode;
import org.junit.jupiter.api.Test;

/**
 * A snapshot is the ledger serialized by Axon's Jackson serializer: it must carry every piece of state (buckets in
 * order, open holds, known and captured holds, debt), or a ledger would change behaviour after its 100th event.
 */
class CreditLedgerSnapshotTest {

    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");

    @Test
    void aSnapshotRestoresTheWholeState() throws Exception {
        CreditLedger ledger = new CreditLedger();
        ledger.on(new CreditLedgerOpenedEvent("ledger-u", "u", NOW));
        ledger.on(new CreditsGrantedEvent("ledger-u", "u", "b", 100, GrantType.PROMOTIONAL, "signup", 10, NOW,
                NOW.plusSeconds(3600)));
        ledger.on(new CreditsGrantedEvent("ledger-u", "u", "a", 50, GrantType.PAID, "purchase", 50, NOW, null));
        ledger.on(new CreditsHeldEvent("ledger-u", "u", "p1", 40, "c", NOW, NOW.plusSeconds(900)));
        ledger.on(new CreditsHeldEvent("ledger-u", "u", "p2", 30, "c", NOW, NOW.plusSeconds(900)));
        ledger.on(new CreditsReleasedEvent("ledger-u", "u", "p2", 30, ReleaseCode.SETTLED, NOW));
        ledger.on(new CreditsCapturedEvent("ledger-u", "u", "p2", 200,
                List.of(new BucketDraw("b", 100), new BucketDraw("a", 50)), 50, NOW));

        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        String json = mapper.writeValueAsString(ledger);
        CreditLedger restored = mapper.readValue(json, CreditLedger.class);

        assertThat(json).contains("\"debt\":50", "\"p1\"", "\"captured\"");
        assertThat(restored).usingRecursiveComparison().isEqualTo(ledger);
    }
}
