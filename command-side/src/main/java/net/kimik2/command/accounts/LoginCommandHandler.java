package net.kimik2.command.accounts;

import java.util.Optional;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.stereotype.Component;

/** Finds the account by the keyed hash of a username or an email, then lets the account check the password. */
@Component
class LoginCommandHandler {

    private final Repository<Account> accounts;
    private final AccountLookup lookup;
    private final PasswordHasher hasher;
    private final PolicySettings settings;
    private final DeviceParser devices;

    LoginCommandHandler(Repository<Account> accounts, AccountLookup lookup, PasswordHasher hasher,
                        PolicySettings settings, DeviceParser devices) {
        this.devices = devices;
        this.accounts = accounts;
        this.lookup = lookup;
        this.hasher = hasher;
        this.settings = settings;
    }

    @CommandHandler
    LoginOutcome handle(LoginCommand command) {
        String input = command.usernameOrEmail() == null ? "" : command.usernameOrEmail().trim();
        String password = command.password() == null ? "" : command.password();
        Optional<String> userId = input.contains("@")
                ? lookup.find(AccountLookup.Kind.EMAIL, AccountRules.normalizeEmail(input))
                : lookup.find(AccountLookup.Kind.USERNAME, AccountRules.normalizeUsername(input));
        if (userId.isEmpty()) {
            hasher.burnTime(password);
            throw invalidCredentials();
        }
        try {
            return accounts.load(userId.get()).invoke(account -> account.login(password, hasher, settings,
                    command.userAgent() == null && command.ipAddress() == null ? null : devices.parse(command.userAgent()),
                    command.ipAddress()));
        } catch (AggregateNotFoundException e) {
            hasher.burnTime(password);
            throw invalidCredentials();
        }
    }

    static DomainException invalidCredentials() {
        return new DomainException(ErrorCode.INVALID_CREDENTIALS, null, "unknown user or wrong password");
    }
}
