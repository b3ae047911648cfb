package net.kimik2.command.accounts;

import java.util.UUID;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** With {@code KIMI_ADMIN_PASSWORD} set, makes sure an {@code admin} account with role ADMIN exists. */
@Component
class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    static final String ADMIN_USERNAME = "admin";

    private final CommandGateway commands;
    private final AccountLookup lookup;
    private final PolicySettings settings;
    private final String adminPassword;
    private final String adminEmail;

    AdminBootstrap(CommandGateway commands, AccountLookup lookup, PolicySettings settings,
                   @Value("${kimi.admin.password:}") String adminPassword,
                   @Value("${kimi.admin.email:admin@kimi-k2.invalid}") String adminEmail) {
        this.commands = commands;
        this.lookup = lookup;
        this.settings = settings;
        this.adminPassword = adminPassword;
        this.adminEmail = adminEmail;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (adminPassword.isBlank() || lookup.find(AccountLookup.Kind.USERNAME, ADMIN_USERNAME).isPresent()) {
            return;
        }
        String userId = UUID.randomUUID().toString();
        var command = new RegisterAccountCommand(userId, "Administrator", adminEmail, ADMIN_USERNAME, adminPassword,
                settings.currentPolicyVersion(), Role.ADMIN);
        try {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                    .withMetaData(MetaData.with(MetadataKeys.ACTOR_ID, MetadataKeys.SYSTEM_ACTOR)));
        } catch (RuntimeException e) {
            // several nodes starting at once: the username's keyed hash admits one registration, the others lose
            if (lookup.find(AccountLookup.Kind.USERNAME, ADMIN_USERNAME).isPresent()) {
                log.info("the admin account was created by another node");
                return;
            }
            throw e;
        }
        log.info("created the admin account (user id {})", userId);
    }
}
