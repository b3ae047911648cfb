package net.kimik2.command.credits;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.kimik2.api.credits.BucketDraw;
import net.kimik2.api.credits.CaptureCreditsCommand;
import net.kimik2.api.credits.ClawBackCreditsCommand;
import net.kimik2.api.credits.CreditsClawedBackEvent;
import net.kimik2.api.credits.HoldDisputedCreditsCommand;
import net.kimik2.api.credits.CreditHold;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.HoldCreditsCommand;
import net.kimik2.api.credits.OpenCreditLedgerCommand;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.api.credits.ReleaseCreditsCommand;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * One user's credits: grant buckets, open holds and a debt. All arithmetic is on longs (micro-dollars); every
 * change is idempotent by its key, so a redelivered command never grants, holds or charges twice. Concurrent prompts
 * of one user are serialized here (the aggregate is locked per command), so holds can never overspend.
 *
 * <p>Available = live buckets - open holds - debt. Captures draw buckets by priority, then soonest expiry, then
 * age; what the buckets cannot cover becomes debt, which later grants pay off first and which blocks new holds.
 */
@Aggregate(snapshotTriggerDefinition = CreditsConfiguration.LEDGER_SNAPSHOT_TRIGGER, cache = CreditsConfiguration.LEDGER_CACHE)
// snapshots are this object as JSON: its fields are the state, there are no getters
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
class CreditLedger {

    static final int SIGNUP_PRIORITY = 10;
    /**
     * The largest balance (credits of live buckets) a ledger may reach: 10^15 credits, a billion dollars. It keeps
     * every sum the ledger and the views take (balances, holds, lifetime totals of up to thousands of such grants)
     * far below {@code Long.MAX_VALUE}; a grant beyond it is VALIDATION_FAILED.
     */
    public static final long MAX_BALANCE = 1_000_000_000_000_000L;
    static final int DEFAULT_PRIORITY = 50;
    static final String HOLD_EXPIRY = "credit-hold-expiry";

    @AggregateIdentifier
    private String ledgerId;
    private String userId;
    /** Grant buckets in grant order; the key set doubles as the idempotency record of grants. */
    private Map<String, Bucket> buckets = new LinkedHashMap<>();
    /** Open holds by hold id. */
    private Map<String, Long> holds = new LinkedHashMap<>();
    /** Every hold id ever used (open or closed): the idempotency record of holds. */
    private Set<String> knownHolds = new HashSet<>();
    /** Hold ids already captured: a hold is charged at most once. */
    private Set<String> captured = new HashSet<>();
    private long debt;
    /** Claw-back ids already applied (refunds, lost disputes): each takes credits back once. */
    private Set<String> clawbacks = new HashSet<>();

    /** A grant bucket: what is left of it and the terms that order draw-downs. */
    record Bucket(long remaining, int priority, Instant expiresAt, long order) {

        boolean liveAt(Instant now) {
            return remaining > 0 && (expiresAt == null || expiresAt.isAfter(now));
        }

        Bucket drawn(long amount) {
            return new Bucket(remaining - amount, priority, expiresAt, order);
        }
    }

    /** The payload of a hold's expiry deadline. */
    record HoldExpiry(String holdId) {
    }

    CreditLedger() {
        // for Axon
    }

    /**
     * Idempotent creation: a redelivered open command (a policy's retry) finds the ledger open and does nothing,
     * instead of failing on the event store's unique key at commit time.
     */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(OpenCreditLedgerCommand command) {
        if (ledgerId != null) {
            return;
        }
        if (command.signupCredits() < 0) {
            throw DomainException.validation("signupCredits", "signup credits must not be negative");
        }
        if (command.signupCredits() > MAX_BALANCE) {
            throw DomainException.validation("signupCredits", "signup credits must be at most " + MAX_BALANCE);
        }
        Instant now = now();
        apply(new CreditLedgerOpenedEvent(command.ledgerId(), command.userId(), now));
        if (command.signupCredits() > 0) {
            apply(new CreditsGrantedEvent(command.ledgerId(), command.userId(), command.signupGrantId(),
                    command.signupCredits(), GrantType.PROMOTIONAL, "signup", SIGNUP_PRIORITY, now, null));
        }
    }

    @CommandHandler
    void handle(GrantCreditsCommand command) {
        if (command.grantId() == null || command.grantId().isBlank()) {
            throw DomainException.validation("grantId", "a grant id is required");
        }
        if (command.amount() <= 0) {
            throw DomainException.validation("amount", "a grant must be positive");
        }
        if (buckets.containsKey(command.grantId())) {
            return;
        }
        Instant now = now();
        if (command.expiresAt() != null && !command.expiresAt().isAfter(now)) {
            throw DomainException.validation("expiresAt", "a grant must expire in the future");
        }
        requireWithinMaxBalance(command.amount(), now);
        apply(new CreditsGrantedEvent(ledgerId, userId, command.grantId(), command.amount(),
                command.type() == null ? GrantType.PROMOTIONAL : command.type(), command.source(),
                command.priority() <= 0 ? DEFAULT_PRIORITY : command.priority(), now, command.expiresAt()));
    }

    @CommandHandler
    CreditHold handle(HoldCreditsCommand command, DeadlineManager deadlines) {
        if (command.holdId() == null || command.holdId().isBlank()) {
            throw DomainException.validation("holdId", "a hold id is required");
        }
        if (knownHolds.contains(command.holdId())) {
            return new CreditHold(command.holdId(), holds.getOrDefault(command.holdId(), 0L), command.purposeId(),
                    false);
        }
        if (command.amount() <= 0) {
            throw DomainException.validation("amount", "a hold must be positive");
        }
        Instant now = now();
        if (command.expiresAt() == null || !command.expiresAt().isAfter(now)) {
            throw DomainException.validation("expiresAt", "a hold must expire in the future");
        }
        long available = available(now);
        if (available < command.amount()) {
            throw new DomainException(new DomainError(ErrorCode.INSUFFICIENT_CREDITS, null,
                    "not enough credits for this request", Map.of("available", available,
                    "required", command.amount())));
        }
        apply(new CreditsHeldEvent(ledgerId, userId, command.holdId(), command.amount(), command.purposeId(), now,
                command.expiresAt()));
        // persistent (db-scheduler): a hold left open by a crash is released when it expires
        deadlines.schedule(command.expiresAt(), HOLD_EXPIRY, new HoldExpiry(command.holdId()));
        return new CreditHold(command.holdId(), command.amount(), command.purposeId(), true);
    }

    @CommandHandler
    void handle(CaptureCreditsCommand command) {
        if (command.amount() < 0) {
            throw DomainException.validation("amount", "a capture must not be negative");
        }
        if (!knownHolds.contains(command.holdId())) {
            throw new DomainException(ErrorCode.NOT_FOUND, "holdId", "no such hold");
        }
        if (captured.contains(command.holdId())) {
            return;
        }
        Instant now = now();
        // settle the hold first, then charge the actual cost: hold, release and capture add up to the charge
        releaseIfOpen(command.holdId(), ReleaseCode.SETTLED);
        List<BucketDraw> draws = new ArrayList<>();
        long left = command.amount();
        for (Map.Entry<String, Bucket> e : drawOrder(now)) {
            if (left == 0) {
                break;
            }
            long take = Math.min(left, e.getValue().remaining());
            draws.add(new BucketDraw(e.getKey(), take));
            left -= take;
        }
        apply(new CreditsCapturedEvent(ledgerId, userId, command.holdId(), command.amount(), List.copyOf(draws), left,
                now));
    }

    @CommandHandler
    void handle(ReleaseCreditsCommand command) {
        if (!knownHolds.contains(command.holdId())) {
            throw new DomainException(ErrorCode.NOT_FOUND, "holdId", "no such hold");
        }
        releaseIfOpen(command.holdId(), command.code() == null ? ReleaseCode.FAILED : command.code());
    }

    /** Holds a dispute's share without an availability check or deadline: the dispute's outcome ends it. */
    @CommandHandler
    void handle(HoldDisputedCreditsCommand command) {
        if (command.holdId() == null || command.holdId().isBlank()) {
            throw DomainException.validation("holdId", "a hold id is required");
        }
        if (command.amount() <= 0) {
            throw DomainException.validation("amount", "a hold must be positive");
        }
        if (knownHolds.contains(command.holdId())) {
            return;
        }
        apply(new CreditsHeldEvent(ledgerId, userId, command.holdId(), command.amount(), command.grantId(), now(),
                null));
    }

    /**
     * Takes back part of a grant: first what is left of its bucket (live or expired: expired credits were never
     * spent), the rest as a debt that the next grant pays off first.
     */
    @CommandHandler
    void handle(ClawBackCreditsCommand command) {
        if (command.clawbackId() == null || command.clawbackId().isBlank()) {
            throw DomainException.validation("clawbackId", "a claw-back id is required");
        }
        if (command.amount() <= 0) {
            throw DomainException.validation("amount", "a claw-back must be positive");
        }
        if (clawbacks.contains(command.clawbackId())) {
            return;
        }
        if (command.releaseHoldId() != null) {
            releaseIfOpen(command.releaseHoldId(), ReleaseCode.DISPUTE_LOST);
        }
        Bucket bucket = buckets.get(command.grantId());
        if (bucket == null) {
            return;
        }
        long fromBucket = Math.min(Math.max(bucket.remaining(), 0), command.amount());
        apply(new CreditsClawedBackEvent(ledgerId, userId, command.clawbackId(), command.grantId(), command.amount(),
                fromBucket, Math.subtractExact(command.amount(), fromBucket), now()));
    }

    @DeadlineHandler(deadlineName = HOLD_EXPIRY)
    void on(HoldExpiry expiry) {
        releaseIfOpen(expiry.holdId(), ReleaseCode.EXPIRED);
    }

    private void releaseIfOpen(String holdId, ReleaseCode code) {
        Long open = holds.get(holdId);
        if (open != null) {
            apply(new CreditsReleasedEvent(ledgerId, userId, holdId, open, code, now()));
        }
    }

    /**
     * A grant may not lift the credits of live buckets above {@link #MAX_BALANCE}; the sum is taken with
     * {@link Math#addExact} so that no amount, however large, can wrap a balance to a negative number.
     */
    private void requireWithinMaxBalance(long amount, Instant now) {
        long balance;
        try {
            balance = amount;
            for (Bucket bucket : buckets.values()) {
                if (bucket.liveAt(now)) {
                    balance = Math.addExact(balance, bucket.remaining());
                }
            }
        } catch (ArithmeticException overflow) {
            balance = Long.MAX_VALUE;
        }
        if (amount > MAX_BALANCE || balance > MAX_BALANCE) {
            throw DomainException.validation("amount",
                    "a grant must not lift the balance above " + MAX_BALANCE + " credits");
        }
    }

    private long available(Instant now) {
        long live = buckets.values().stream().filter(b -> b.liveAt(now)).mapToLong(Bucket::remaining).sum();
        long held = holds.values().stream().mapToLong(Long::longValue).sum();
        return live - held - debt;
    }

    private List<Map.Entry<String, Bucket>> drawOrder(Instant now) {
        return buckets.entrySet().stream().filter(e -> e.getValue().liveAt(now))
                .sorted(Comparator.comparingInt((Map.Entry<String, Bucket> e) -> e.getValue().priority())
                        .thenComparing(e -> e.getValue().expiresAt(), Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparingLong(e -> e.getValue().order()))
                .toList();
    }

    @EventSourcingHandler
    void on(CreditLedgerOpenedEvent event) {
        this.ledgerId = event.ledgerId();
        this.userId = event.userId();
    }

    @EventSourcingHandler
    void on(CreditsGrantedEvent event) {
        // an outstanding debt is paid off first from new credits
        long payOff = Math.min(debt, event.amount());
        debt -= payOff;
        buckets.put(event.grantId(), new Bucket(event.amount() - payOff, event.priority(), event.expiresAt(),
                buckets.size()));
    }

    @EventSourcingHandler
    void on(CreditsHeldEvent event) {
        knownHolds.add(event.holdId());
        holds.put(event.holdId(), event.amount());
    }

    @EventSourcingHandler
    void on(CreditsCapturedEvent event) {
        captured.add(event.holdId());
        for (BucketDraw draw : event.draws()) {
            buckets.computeIfPresent(draw.grantId(), (id, bucket) -> bucket.drawn(draw.amount()));
        }
        debt += event.debtIncurred();
    }

    @EventSourcingHandler
    void on(CreditsClawedBackEvent event) {
        clawbacks.add(event.clawbackId());
        buckets.computeIfPresent(event.grantId(), (id, bucket) -> bucket.drawn(event.fromBucket()));
        debt = Math.addExact(debt, event.debtIncurred());
    }

    @EventSourcingHandler
    void on(CreditsReleasedEvent event) {
        holds.remove(event.holdId());
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
