package net.kimik2.api.credits;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Opens a user's ledger with its signup grant (amount may be 0). */
public record OpenCreditLedgerCommand(
        @TargetAggregateIdentifier String ledgerId,
        String userId,
        String signupGrantId,
        long signupCredits) {
}
