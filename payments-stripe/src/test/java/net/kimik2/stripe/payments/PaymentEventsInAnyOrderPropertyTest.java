package net.kimik2.stripe.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.CreditsClawedBackEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.HoldCreditsCommand;
import net.kimik2.api.credits.OpenCreditLedgerCommand;
import net.kimik2.command.payments.StripeGateway.Metadata;
import net.kimik2.testsupport.payments.StripeStub;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * Stripe delivers a pack purchase, a subscription with two paid periods, two partial refunds and a dispute (won or
 * lost) in any order, with duplicates. Whatever the order, the ledger ends at the same balance with no open hold.
 * Everything real runs: signature check, inbox, processor re-reading the stub's current objects through stripe-java,
 * the payment aggregates, the ledger policy and the {@code CreditLedger} (in-memory Axon, {@link PaymentsAxon}).
 *
 * <p>An event is delivered no earlier than it happened: delivering event {@code i} of the true timeline advances the
 * stub's state to at least {@code i} (Stripe cannot announce a change it has not made), later ones may be delivered
 * before it, and any may come again.
 */
class PaymentEventsInAnyOrderPropertyTest {

    private static final long PACK_CREDITS = 10_000_000;
    private static final long PACK_CENTS = 1_000;
    private static final long PLAN_CREDITS = 5_000_000;
    private static final long PLAN_CENTS = 2_000;

    private static StripeStub stub;

    @BeforeContainer
    static void startStub() throws Exception {
        stub = new StripeStub();
    }

    @AfterContainer
    static void stopStub() {
        stub.close();
    }

    /** One step of Stripe's true timeline: the state change it makes and the event announcing it. */
    record Step(String type, String objectId, Consumer<StripeStub> change) {
    }

    @Property(tries = 200)
    void theLedgerEndsAtTheSameBalanceWhateverTheOrder(@ForAll("deliveries") List<Integer> deliveries,
                                                      @ForAll boolean disputeWon) throws Exception {
        String run = stub.newId("run");
        String user = "user-" + run;
        Instant now = Instant.now();
        Map<String, String> pack = Map.of(Metadata.USER_ID, user, Metadata.ITEM_ID, "pack-10", Metadata.KIND, "pack",
                Metadata.CREDITS, Long.toString(PACK_CREDITS), Metadata.CATALOGUE_VERSION, "v1");
        Map<String, String> plan = Map.of(Metadata.USER_ID, user, Metadata.ITEM_ID, "plan-monthly", Metadata.KIND,
                "plan", Metadata.CREDITS, Long.toString(PLAN_CREDITS), Metadata.CATALOGUE_VERSION, "v1");
        String cus = "cus_" + run;
        String piPack = "pi_pack_" + run;
        String chPack = "ch_pack_" + run;
        String sub = "sub_" + run;
        String piInv1 = "pi_inv1_" + run;
        String chInv1 = "ch_inv1_" + run;
        String piInv2 = "pi_inv2_" + run;
        String dispute = "dp_" + run;
        long p1Start = now.minus(1, ChronoUnit.DAYS).getEpochSecond();
        long p1End = now.plus(29, ChronoUnit.DAYS).getEpochSecond();
        long p2End = now.plus(59, ChronoUnit.DAYS).getEpochSecond();

        List<Step> timeline = List.of(
                new Step("checkout.session.completed", "cs_pack_" + run, s -> {
                    s.put(StripeStub.charge(chPack, cus, piPack, PACK_CENTS, "usd", "visa", "4242"));
                    s.put(StripeStub.paymentIntent(piPack, cus, PACK_CENTS, "usd", chPack));
                    s.put(StripeStub.paidPackSession("cs_pack_" + run, cus, piPack, PACK_CENTS, "usd", pack));
                }),
                new Step("checkout.session.completed", "cs_sub_" + run, s -> {
                    s.put(StripeStub.subscription(sub, cus, "active", plan));
                    s.put(StripeStub.subscriptionSession("cs_sub_" + run, cus, sub, PLAN_CENTS, "usd", plan));
                }),
                new Step("invoice.paid", "in1_" + run, s -> {
                    s.put(StripeStub.charge(chInv1, cus, piInv1, PLAN_CENTS, "usd", "visa", "4242"));
                    s.put(StripeStub.paidInvoice("in1_" + run, cus, sub, piInv1, PLAN_CENTS, "usd", p1Start, p1End,
                            plan));
                }),
                new Step("charge.refunded", chPack, s -> s.put(StripeStub.refunded(s.get(chPack), 250))),
                new Step("charge.refunded", chPack, s -> s.put(StripeStub.refunded(s.get(chPack), 500))),
                new Step("charge.dispute.created", dispute, s -> s.put(StripeStub.dispute(dispute, chInv1, piInv1,
                        PLAN_CENTS, "usd", "needs_response"))),
                new Step("invoice.paid", "in2_" + run, s -> s.put(StripeStub.paidInvoice("in2_" + run, cus, sub,
                        piInv2, PLAN_CENTS, "usd", p1End, p2End, plan))),
                new Step("charge.dispute.closed", dispute, s -> s.put(StripeStub.dispute(dispute, chInv1, piInv1,
                        PLAN_CENTS, "usd", disputeWon ? "won" : "lost"))),
                new Step("customer.subscription.deleted", sub, s -> s.put(StripeStub.subscription(sub, cus,
                        "canceled", plan))));

        try (PaymentsAxon axon = new PaymentsAxon(stub)) {
            axon.commands().sendAndWait(new OpenCreditLedgerCommand(CreditLedgerId.forUser(user), user,
                    "signup-" + user, 0));
            int applied = 0;
            for (int index : deliveries) {
                while (applied <= index) {
                    timeline.get(applied++).change().accept(stub);
                }
                Step step = timeline.get(index);
                String payload = StripeStub.event("evt_" + run + "_" + index, step.type(),
                        stub.get(step.objectId()), now.getEpochSecond());
                int status = axon.webhook(payload.getBytes(StandardCharsets.UTF_8),
                        StripeStub.sign(payload, StripeStub.TEST_SECRET, Instant.now().getEpochSecond()));
                assertThat(status).isEqualTo(200);
            }
            // everything Stripe sent was delivered at least once; the state is Stripe's final one
            long expected = PACK_CREDITS - PACK_CREDITS / 2 + (disputeWon ? PLAN_CREDITS : 0) + PLAN_CREDITS;
            assertThat(axon.deadLetters()).as(axon::deadLetterCauses).isZero();
            Ledger ledger = Ledger.of(axon.configuration(), CreditLedgerId.forUser(user));
            assertThat(ledger.openHolds).as("open holds").isEmpty();
            assertThat(ledger.debt).as("debt").isZero();
            assertThat(ledger.available).as("available").isEqualTo(expected);
            // and the aggregate itself agrees: it holds exactly the balance, and not one credit more
            Instant later = Instant.now().plus(1, ChronoUnit.HOURS);
            assertThatThrownBy(() -> axon.commands().sendAndWait(new HoldCreditsCommand(
                    CreditLedgerId.forUser(user), "probe-more", expected + 1, "probe", later)))
                    .hasMessageContaining("not enough credits");
            axon.commands().sendAndWait(new HoldCreditsCommand(CreditLedgerId.forUser(user), "probe", expected,
                    "probe", later));
            assertThat(axon.deadLetters()).as(axon::deadLetterCauses).isZero();
        }
    }

    @Provide
    Arbitrary<List<Integer>> deliveries() {
        // a permutation of the nine events, each possibly duplicated, duplicates at random places
        Arbitrary<List<Integer>> order = Arbitraries.shuffle(0, 1, 2, 3, 4, 5, 6, 7, 8);
        Arbitrary<List<Integer>> duplicates = Arbitraries.integers().between(0, 8).list().ofMaxSize(6);
        Arbitrary<List<Integer>> positions = Arbitraries.integers().between(0, 20).list().ofSize(6);
        return Combinators.combine(order, duplicates, positions).as((o, d, p) -> {
            List<Integer> all = new ArrayList<>(o);
            for (int i = 0; i < d.size(); i++) {
                all.add(Math.min(p.get(i), all.size()), d.get(i));
            }
            return all;
        });
    }

    /** The ledger's balance from its own events, the way the balance view sums them. */
    private static final class Ledger {
        long available;
        long debt;
        Set<String> openHolds = new HashSet<>();

        static Ledger of(Configuration axon, String ledgerId) {
            Ledger l = new Ledger();
            long granted = 0;
            long clawed = 0;
            var events = axon.eventStore().readEvents(ledgerId);
            while (events.hasNext()) {
                DomainEventMessage<?> e = events.next();
                Object p = e.getPayload();
                if (p instanceof CreditsGrantedEvent g) {
                    granted += g.amount();
                } else if (p instanceof CreditsClawedBackEvent c) {
                    clawed += c.amount();
                } else if (p instanceof CreditsHeldEvent h) {
                    l.openHolds.add(h.holdId());
                    l.available -= h.amount();
                } else if (p instanceof CreditsReleasedEvent r) {
                    l.openHolds.remove(r.holdId());
                    l.available += r.amount();
                }
            }
            l.available += granted - clawed;
            l.debt = Math.max(0, -l.available);
            return l;
        }
    }
}
