package net.kimik2.query.accounts;

import java.util.Date;
import java.util.Optional;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.query.platform.ViewBatch;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/** The account view: one document per user, keyed by the user id. */
@Component
@ProcessingGroup("accounts-account")
class AccountProjection {

    static final String COLLECTION = "accounts_account";

    private final MongoTemplate mongo;
    private final QueryUpdateEmitter emitter;

    AccountProjection(MongoTemplate mongo, QueryUpdateEmitter emitter) {
        this.mongo = mongo;
        this.emitter = emitter;
    }

    @EventHandler
    void on(AccountRegisteredEvent event) {
        Document doc = new Document("_id", event.userId())
                .append("username", event.username())
                .append("name", event.name())
                .append("email", event.email())
                .append("role", event.role().name())
                .append("createdAt", Date.from(event.registeredAt()));
        ViewBatch batch = ViewBatch.current();
        batch.replace(COLLECTION, event.userId(), doc);
        AccountView view = toView(doc);
        batch.afterFlush("account:" + event.userId(), () -> emitter.emit(FindAccountQuery.class,
                q -> q.userId().equals(view.id()), view));
    }

    @ResetHandler
    void reset() {
        mongo.dropCollection(COLLECTION);
    }

    @QueryHandler
    Optional<AccountView> handle(FindAccountQuery query) {
        return Optional.ofNullable(mongo.findOne(Query.query(Criteria.where("_id").is(query.userId())), Document.class,
                COLLECTION)).map(AccountProjection::toView);
    }

    private static AccountView toView(Document doc) {
        return new AccountView(doc.getString("_id"), doc.getString("username"), doc.getString("name"),
                doc.getString("email"), Role.valueOf(doc.getString("role")), doc.getDate("createdAt").toInstant());
    }
}
