package net.kimik2.command.credits;

import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.OpenCreditLedgerCommand;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Opens a ledger with the signup grant for every new account. Its token lives in the event store's database, so
 * the token and the ledger's events commit together; a redelivery finds the ledger already open
 * and does nothing.
 */
@Component
@ProcessingGroup("credits-signup-policy")
class SignupCreditsPolicy {

    private final CommandGateway commands;
    private final long signupCredits;

    SignupCreditsPolicy(CommandGateway commands, @Value("${kimi.signup-credits:500000}") long signupCredits) {
        this.commands = commands;
        this.signupCredits = signupCredits;
    }

    @EventHandler
    void on(AccountRegisteredEvent event) {
        commands.sendAndWait(new OpenCreditLedgerCommand(CreditLedgerId.forUser(event.userId()), event.userId(),
                "signup-" + event.userId(), signupCredits));
    }
}
