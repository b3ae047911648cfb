package net.kimik2.query.accounts;

import com.mongodb.client.model.Filters;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.ProfileUpdatedEvent;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.query.platform.SubjectDocuments;
import net.kimik2.query.platform.ViewCollections;
import net.kimik2.query.platform.ViewBatch;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import net.kimik2.axon.platform.ReadCache;
import org.axonframework.config.ProcessingGroup;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The account view: one document per user, keyed by the user id. Username, name and email are stored encrypted
 * under the user's key and decrypted only when a query reads them; an erased person's document is deleted and a
 * replay does not bring it back.
 */
@Component
@ProcessingGroup("accounts-account")
class AccountProjection implements SubjectDocuments {

    static final String COLLECTION = "accounts_account";

    private final MongoTemplate mongo;
    private final QueryUpdateEmitter emitter;
    private final FieldCipher cipher;
    /** `me` reads the caller's account on every request: served from memory, dropped when a batch changes it. */
    private final ReadCache<String, AccountView> accounts;

    @Autowired
    AccountProjection(MongoTemplate mongo, QueryUpdateEmitter emitter, FieldCipher cipher,
                      ObjectProvider<MeterRegistry> meters,
                      @Value("${kimi.cache.accounts.size:100000}") long size,
                      @Value("${kimi.cache.accounts.ttl:PT60S}") Duration ttl) {
        this(mongo, emitter, cipher, new ReadCache<>("accounts", size, ttl, meters.getIfAvailable()));
    }

    AccountProjection(MongoTemplate mongo, QueryUpdateEmitter emitter, FieldCipher cipher,
                      ReadCache<String, AccountView> accounts) {
        this.mongo = mongo;
        this.emitter = emitter;
        this.cipher = cipher;
        this.accounts = accounts;
    }

    @EventHandler
    void on(AccountRegisteredEvent event) {
        String scope = scope(event.userId());
        if (cipher.keys().isErased(scope)) {
            return; // replay after an erasure: the person stays gone
        }
        Document doc = new Document("_id", event.userId())
                .append("username", cipher.encryptString(scope, event.userId(), "username", event.username()))
                .append("name", cipher.encryptString(scope, event.userId(), "name", event.name()))
                .append("email", cipher.encryptString(scope, event.userId(), "email", event.email()))
                .append("role", event.role().name())
                .append("createdAt", Date.from(event.registeredAt()));
        ViewBatch batch = ViewBatch.current();
        batch.replace(COLLECTION, event.userId(), doc);
        AccountView view = new AccountView(event.userId(), event.username(), event.name(), event.email(), event.role(),
                event.registeredAt());
        batch.afterFlush("account:" + event.userId(), () -> {
            accounts.invalidate(event.userId());
            emitter.emit(FindAccountQuery.class, q -> q.userId().equals(view.id()), view);
        });
    }

    /** Rectification: the new name and email, encrypted as at registration. */
    @EventHandler
    void on(ProfileUpdatedEvent event) {
        String scope = scope(event.userId());
        if (cipher.keys().isErased(scope)) {
            return;
        }
        ViewBatch batch = ViewBatch.current();
        batch.update(COLLECTION, event.userId(), new Document("$set", new Document()
                .append("name", cipher.encryptString(scope, event.userId(), "name", event.name()))
                .append("email", cipher.encryptString(scope, event.userId(), "email", event.email()))));
        // its own key: a registration in the same batch keeps its action, this one runs after it with the new values
        batch.afterFlush("account-profile:" + event.userId(), () -> {
            accounts.invalidate(event.userId());
            load(event.userId()).ifPresent(view ->
                    emitter.emit(FindAccountQuery.class, q -> q.userId().equals(view.id()), view));
        });
    }

    /** Erasure step 4 deleted the document already (and counted it); this keeps a replay from leaving it behind. */
    @EventHandler
    void on(ErasureCompletedEvent event) {
        ViewBatch batch = ViewBatch.current();
        subjectDocuments(event.userId()).forEach(batch::deleteMany);
        accounts.invalidate(event.userId());
        batch.afterFlush("account:" + event.userId(), () -> accounts.invalidate(event.userId()));
    }

    @Override
    public Map<String, Bson> subjectDocuments(String userId) {
        return Map.of(COLLECTION, Filters.eq("_id", userId));
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, COLLECTION);
        accounts.invalidateAll();
    }

    @QueryHandler
    Optional<AccountView> handle(FindAccountQuery query) {
        return accounts.get(query.userId(), this::load);
    }

    private Optional<AccountView> load(String userId) {
        FindAccountQuery query = new FindAccountQuery(userId);
        Document doc = mongo.findOne(Query.query(Criteria.where("_id").is(query.userId())), Document.class, COLLECTION);
        if (doc == null) {
            return Optional.empty();
        }
        String scope = scope(query.userId());
        Optional<String> username = cipher.decryptString(scope, "username", doc.getString("username"));
        if (username.isEmpty()) {
            return Optional.empty(); // shredded: the key is gone
        }
        return Optional.of(new AccountView(doc.getString("_id"), username.get(),
                cipher.decryptString(scope, "name", doc.getString("name")).orElse("[erased]"),
                cipher.decryptString(scope, "email", doc.getString("email")).orElse("[erased]"),
                Role.valueOf(doc.getString("role")), doc.getDate("createdAt").toInstant()));
    }

    private static String scope(String userId) {
        return "user:" + userId;
    }
}
