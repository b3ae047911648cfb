package net.kimik2.command.apikeys;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.kimik2.api.apikeys.ApiKeyCreatedEvent;
import net.kimik2.api.apikeys.ApiKeyRevokedEvent;
import net.kimik2.api.apikeys.CreateApiKeyCommand;
import net.kimik2.api.apikeys.RevokeAllApiKeysCommand;
import net.kimik2.api.apikeys.RevokeApiKeyCommand;
import net.kimik2.api.platform.DomainException;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A person's API keys. One aggregate per person, so that the number of live keys is bounded in one place and
 * erasure revokes them all with one command. The secrets never reach it: only their hashes (ADR 0018).
 */
@Aggregate
class ApiKeyRing {

    static final int MAX_LIVE_KEYS = 20;
    static final int MAX_LABEL_LENGTH = 100;
    static final int MAX_MODELS = 20;
    static final long MAX_BUDGET = 1_000_000_000_000_000L;

    @AggregateIdentifier
    private String ringId;
    private String userId;
    /** Live (unrevoked) keys by id. */
    private final Map<String, Boolean> live = new LinkedHashMap<>();

    ApiKeyRing() {
        // for Axon
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    String handle(CreateApiKeyCommand command) {
        if (userId != null && !userId.equals(command.userId())) {
            throw DomainException.validation(null, "not your key ring");
        }
        validate(command, now());
        if (live.size() >= MAX_LIVE_KEYS) {
            throw DomainException.validation(null, "at most " + MAX_LIVE_KEYS + " live API keys; revoke one first");
        }
        if (live.containsKey(command.keyId())) {
            return command.keyId();
        }
        apply(new ApiKeyCreatedEvent(command.ringId(), command.userId(), command.keyId(), command.label().strip(),
                command.secretHash(), command.prefix(), command.monthlyBudgetCredits(), command.expiresAt(),
                command.models() == null ? List.of() : List.copyOf(command.models()), now()));
        return command.keyId();
    }

    static void validate(CreateApiKeyCommand command, Instant now) {
        String label = command.label() == null ? "" : command.label().strip();
        if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH) {
            throw DomainException.validation("label", "label must be 1 to " + MAX_LABEL_LENGTH + " characters");
        }
        Long budget = command.monthlyBudgetCredits();
        if (budget != null && (budget < 1 || budget > MAX_BUDGET)) {
            throw DomainException.validation("monthlyBudgetCredits", "monthlyBudgetCredits must be between 1 and "
                    + MAX_BUDGET);
        }
        if (command.expiresAt() != null && !command.expiresAt().isAfter(now)) {
            throw DomainException.validation("expiresAt", "expiresAt must be in the future");
        }
        List<String> models = command.models();
        if (models != null && (models.size() > MAX_MODELS
                || models.stream().anyMatch(m -> m == null || !m.matches("[A-Za-z0-9_.:-]{1,64}")))) {
            throw DomainException.validation("models", "models must be at most " + MAX_MODELS + " model ids");
        }
    }

    @CommandHandler
    boolean handle(RevokeApiKeyCommand command) {
        if (!userId.equals(command.userId()) || !live.containsKey(command.keyId())) {
            return false; // someone else's key answers like a missing one
        }
        apply(new ApiKeyRevokedEvent(ringId, userId, command.keyId(), now()));
        return true;
    }

    @CommandHandler
    int handle(RevokeAllApiKeysCommand command) {
        if (!userId.equals(command.userId())) {
            return 0;
        }
        List<String> keys = List.copyOf(live.keySet());
        Instant now = now();
        keys.forEach(keyId -> apply(new ApiKeyRevokedEvent(ringId, userId, keyId, now)));
        return keys.size();
    }

    @EventSourcingHandler
    void on(ApiKeyCreatedEvent event) {
        ringId = event.ringId();
        userId = event.userId();
        live.put(event.keyId(), Boolean.TRUE);
    }

    @EventSourcingHandler
    void on(ApiKeyRevokedEvent event) {
        live.remove(event.keyId());
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
