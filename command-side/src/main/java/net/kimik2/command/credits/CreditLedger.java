package net.kimik2.command.credits;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.OpenCreditLedgerCommand;
import net.kimik2.api.platform.DomainException;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * One user's credits, as grant buckets. All arithmetic is on longs (micro-dollars); every change is idempotent by
 * its key, so a redelivered command never grants twice.
 */
@Aggregate
class CreditLedger {

    static final int SIGNUP_PRIORITY = 10;
    static final int DEFAULT_PRIORITY = 50;

    @AggregateIdentifier
    private String ledgerId;
    private String userId;
    /** Remaining credits per grant bucket; the key set doubles as the idempotency record of grants. */
    private final Map<String, Long> buckets = new HashMap<>();

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
        apply(new CreditsGrantedEvent(ledgerId, userId, command.grantId(), command.amount(),
                command.type() == null ? GrantType.PROMOTIONAL : command.type(), command.source(),
                command.priority() <= 0 ? DEFAULT_PRIORITY : command.priority(), now, command.expiresAt()));
    }

    @EventSourcingHandler
    void on(CreditLedgerOpenedEvent event) {
        this.ledgerId = event.ledgerId();
        this.userId = event.userId();
    }

    @EventSourcingHandler
    void on(CreditsGrantedEvent event) {
        buckets.put(event.grantId(), event.amount());
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
