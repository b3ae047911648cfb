package net.kimik2.query.platform;

import java.util.List;
import net.kimik2.api.privacy.PurgeSubjectViewsCommand;
import org.axonframework.commandhandling.CommandHandler;
import org.springframework.stereotype.Component;

/** Erasure step 4 on the read side: every projection holding personal documents purges the person's. */
@Component
class SubjectViewPurger {

    private final List<SubjectDataPurger> purgers;

    SubjectViewPurger(List<SubjectDataPurger> purgers) {
        this.purgers = purgers;
    }

    @CommandHandler
    long handle(PurgeSubjectViewsCommand command) {
        return purgers.stream().mapToLong(p -> p.purgeSubject(command.userId())).sum();
    }
}
