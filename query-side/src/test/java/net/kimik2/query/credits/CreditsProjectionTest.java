package net.kimik2.query.credits;

import static net.kimik2.query.platform.ProjectionHarness.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import net.kimik2.api.credits.CreditBalanceView;
import net.kimik2.api.credits.CreditBalances;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.FindCreditBalanceQuery;
import net.kimik2.api.credits.FindCreditBalancesQuery;
import net.kimik2.api.credits.FindCreditLedgerQuery;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.LedgerEntryView;
import net.kimik2.api.credits.LedgerPage;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.query.platform.ProjectionHarness;
import java.time.Duration;
import net.kimik2.axon.platform.ReadCache;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Balance and ledger projections in one processor, fed the event streams a CreditLedger aggregate produces. */
class CreditsProjectionTest {

    private static final Instant T0 = Instant.parse("2025-07-01T00:00:00Z");

    private final ProjectionHarness harness = new ProjectionHarness((mongo, emitter) -> List.of(
            new CreditBalanceProjection(mongo, emitter,
                    new ReadCache<>("balances", 1000, Duration.ofMinutes(10), null)),
            new LedgerEntryProjection(mongo)));

    @AfterEach
    void tearDown() {
        harness.close();
    }

    /** The events of one user's ledger: opened (seq 0), then one grant per amount (seq 1..n). */
    private static List<DomainEventMessage<?>> ledger(String userId, long... grants) {
        String ledgerId = "ledger-" + userId;
        List<DomainEventMessage<?>> events = new ArrayList<>();
        events.add(event(ledgerId, 0, new CreditLedgerOpenedEvent(ledgerId, userId, T0), T0));
        for (int i = 0; i < grants.length; i++) {
            long seq = i + 1;
            Instant at = T0.plusSeconds(seq * 60);
            events.add(event(ledgerId, seq, new CreditsGrantedEvent(ledgerId, userId, "g-" + seq, grants[i],
                    GrantType.PAID, "src-" + seq, 50, at, null), at));
        }
        return events;
    }

    private void deliver(List<DomainEventMessage<?>> events) {
        harness.deliver(events.toArray(DomainEventMessage[]::new));
    }

    private Optional<CreditBalanceView> balance(String userId) {
        return harness.query(new FindCreditBalanceQuery(userId), ResponseTypes.optionalInstanceOf(CreditBalanceView.class));
    }

    private LedgerPage page(String userId, int first, String after) {
        return harness.query(new FindCreditLedgerQuery(userId, new PageRequest(first, after)),
                ResponseTypes.instanceOf(LedgerPage.class));
    }

    @Test
    void balanceIsTheSumOfGrants() {
        deliver(ledger("u-1", 500_000, 1_000_000, 25));

        assertThat(balance("u-1")).contains(new CreditBalanceView("u-1", 1_500_025, 0, 0));
    }

    @Test
    void openedLedgerWithoutGrantsHasAZeroBalance() {
        deliver(ledger("u-1"));
        assertThat(balance("u-1")).contains(CreditBalanceView.empty("u-1"));
        assertThat(balance("u-unknown")).isEmpty();
    }

    @Test
    void eventsSpreadOverSeveralBatchesAddUp() {
        List<DomainEventMessage<?>> events = ledger("u-1", 1, 2, 4, 8);
        deliver(events.subList(0, 2));
        deliver(events.subList(2, 4));
        deliver(events.subList(4, 5));

        assertThat(balance("u-1")).map(CreditBalanceView::available).contains(15L);
    }

    @Test
    void aBalanceReadBetweenBatchesIsCurrentAfterTheNextBatch() {
        // the balance is cached once read; the next batch that changes it must drop the cached value
        List<DomainEventMessage<?>> events = ledger("u-1", 1, 2, 4, 8);
        deliver(events.subList(0, 2));
        assertThat(balance("u-1")).map(CreditBalanceView::available).contains(1L);
        assertThat(balance("u-1")).map(CreditBalanceView::available).contains(1L);

        deliver(events.subList(2, 5));

        assertThat(balance("u-1")).map(CreditBalanceView::available).contains(15L);
        assertThat(harness.query(new net.kimik2.api.credits.FindCreditBalancesQuery(List.of("u-1")),
                ResponseTypes.instanceOf(net.kimik2.api.credits.CreditBalances.class)).balances())
                .extracting(CreditBalanceView::available).containsExactly(15L);
    }

    @Test
    void redeliveredEventsAreNotCountedTwice() {
        List<DomainEventMessage<?>> events = ledger("u-1", 1, 2, 4, 8);
        deliver(events.subList(0, 3));
        // a crash before the token was stored: the processor resumes from an older position
        deliver(events.subList(1, 5));
        deliver(events);

        assertThat(balance("u-1")).map(CreditBalanceView::available).contains(15L);
        assertThat(page("u-1", 100, null).entries()).hasSize(4);
    }

    @Test
    void redeliveryInterleavedWithOtherUsersNewEvents() {
        List<DomainEventMessage<?>> alice = ledger("alice", 10, 20);
        List<DomainEventMessage<?>> bob = ledger("bob", 100, 200, 400);
        deliver(List.of(alice.get(0), alice.get(1), bob.get(0), bob.get(1)));

        deliver(List.of(alice.get(1), bob.get(1), bob.get(2), alice.get(2), bob.get(3)));

        assertThat(balance("alice")).map(CreditBalanceView::available).contains(30L);
        assertThat(balance("bob")).map(CreditBalanceView::available).contains(700L);
    }

    @Test
    void batchQueryAnswersOnlyKnownUsers() {
        deliver(ledger("u-1", 5));
        deliver(ledger("u-2", 7, 3));
        deliver(ledger("u-3", 11));

        CreditBalances answer = harness.query(new FindCreditBalancesQuery(List.of("u-1", "u-2", "u-missing")),
                ResponseTypes.instanceOf(CreditBalances.class));

        assertThat(answer.balances()).containsExactlyInAnyOrder(
                new CreditBalanceView("u-1", 5, 0, 0), new CreditBalanceView("u-2", 10, 0, 0));
        assertThat(harness.query(new FindCreditBalancesQuery(List.of()), ResponseTypes.instanceOf(CreditBalances.class))
                .balances()).isEmpty();
    }

    @Test
    void ledgerPagesNewestFirstWithCursors() {
        deliver(ledger("u-1", 1, 2, 3, 4, 5));
        deliver(ledger("u-2", 99)); // another user's entries never show up

        LedgerPage first = page("u-1", 2, null);
        assertThat(first.entries()).extracting(LedgerEntryView::amount).containsExactly(5L, 4L);
        assertThat(first.hasNextPage()).isTrue();
        assertThat(first.endCursor()).isEqualTo(first.entries().get(1).cursor());

        LedgerPage second = page("u-1", 2, first.endCursor());
        assertThat(second.entries()).extracting(LedgerEntryView::amount).containsExactly(3L, 2L);
        assertThat(second.hasNextPage()).isTrue();

        LedgerPage last = page("u-1", 2, second.endCursor());
        assertThat(last.entries()).extracting(LedgerEntryView::amount).containsExactly(1L);
        assertThat(last.hasNextPage()).isFalse();

        LedgerPage beyond = page("u-1", 2, last.endCursor());
        assertThat(beyond.entries()).isEmpty();
        assertThat(beyond.hasNextPage()).isFalse();
        assertThat(beyond.endCursor()).isNull();
    }

    @Test
    void pageExactlyAsLargeAsTheLedgerHasNoNextPage() {
        deliver(ledger("u-1", 1, 2, 3));
        assertThat(page("u-1", 3, null).hasNextPage()).isFalse();
        assertThat(page("u-1", 2, null).hasNextPage()).isTrue();
    }

    @Test
    void ledgerEntryCarriesTheGrantsDetails() {
        deliver(ledger("u-1", 42));

        LedgerEntryView entry = page("u-1", 10, null).entries().get(0);
        assertThat(entry.id()).isEqualTo("ledger-u-1:1");
        assertThat(entry.kind()).isEqualTo("grant");
        assertThat(entry.amount()).isEqualTo(42);
        assertThat(entry.createdAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(entry.reference()).isEqualTo("src-1");
    }

    @Test
    void invalidCursorIsAValidationFailure() {
        deliver(ledger("u-1", 1));
        String foreignPrefix = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("order:3".getBytes(StandardCharsets.UTF_8));
        String notANumber = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("ledger:three".getBytes(StandardCharsets.UTF_8));
        for (String cursor : List.of("%%%not base64%%%", foreignPrefix, notANumber)) {
            assertThatThrownBy(() -> page("u-1", 10, cursor))
                    .as("cursor %s", cursor)
                    .rootCause()
                    .isInstanceOfSatisfying(DomainException.class, e -> {
                        assertThat(e.error().code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                        assertThat(e.error().field()).isEqualTo("after");
                    });
        }
    }

    @Test
    void resetClearsBothViewsAndAReplayRebuildsTheSameState() {
        List<DomainEventMessage<?>> events = ledger("u-1", 3, 4);
        deliver(events);

        harness.reset();
        assertThat(balance("u-1")).isEmpty();
        assertThat(page("u-1", 10, null).entries()).isEmpty();
        // the ledger's listing index is recreated for the replay
        assertThat(harness.mongo.indexOps(LedgerEntryProjection.COLLECTION).getIndexInfo())
                .anySatisfy(index -> assertThat(index.isIndexForFields(List.of("userId", "seq"))).isTrue());

        deliver(events);
        assertThat(balance("u-1")).map(CreditBalanceView::available).contains(7L);
        assertThat(page("u-1", 10, null).entries()).hasSize(2);
    }

    @Test
    void balancesAreStoredAsLongs() {
        // the query reads them with getLong; a server that kept Int32 would make it fail
        deliver(ledger("u-1", 3_000_000_000L));
        Document doc = harness.mongo.findById("u-1", Document.class, CreditBalanceProjection.COLLECTION);
        assertThat(doc.get("available")).isEqualTo(3_000_000_000L);
        assertThat(doc.get("held")).isEqualTo(0L);
    }
}
