package net.kimik2.query.privacy;

import net.kimik2.query.platform.ProjectionHarness;
import net.kimik2.query.platform.SubjectDocuments;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import java.util.List;
import java.util.Map;
import net.kimik2.api.privacy.PurgeSubjectViewsCommand;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Erasure step 4's count for the certificate, on a real MongoDB-protocol server. */
class SubjectViewPurgerTest {

    private final ProjectionHarness harness = new ProjectionHarness((mongo, emitter) -> List.of(new Object())); // the server only
    private final SubjectDocuments messages = userId -> Map.of("messages", Filters.eq("userId", userId));
    private final SubjectDocuments accounts = userId -> Map.of("accounts", Filters.eq("_id", userId));
    private final SubjectViewPurger purger = new SubjectViewPurger(List.of(messages, accounts), harness.mongo);

    @AfterEach
    void close() {
        harness.close();
    }

    private void store(String collection, Document... documents) {
        harness.mongo.getCollection(collection).insertMany(List.of(documents));
    }

    private long count(String collection) {
        return harness.mongo.getCollection(collection).countDocuments();
    }

    @Test
    void deletesOnlyThePersonsDocumentsAndCountsThem() {
        store("messages", new Document("_id", "m1").append("userId", "u-1"),
                new Document("_id", "m2").append("userId", "u-1"), new Document("_id", "m3").append("userId", "u-2"));
        store("accounts", new Document("_id", "u-1"), new Document("_id", "u-2"));

        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-1", "r-1"))).isEqualTo(3);

        assertThat(count("messages")).isEqualTo(1);
        assertThat(count("accounts")).isEqualTo(1);
        assertThat(harness.mongo.getCollection("accounts").countDocuments(Filters.eq("_id", "u-2"))).isEqualTo(1);
    }

    @Test
    void aRepeatedStepReportsWhatTheFirstRunPurged() {
        store("messages", new Document("_id", "m1").append("userId", "u-1"));
        store("accounts", new Document("_id", "u-1"));
        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-1", "r-1"))).isEqualTo(2);

        // a crash after step 4, or a retry: nothing is left to delete, the certificate still says 2
        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-1", "r-1"))).isEqualTo(2);
    }

    @Test
    void aCrashBetweenCountingAndDeletingNeitherLosesNorDoublesTheCount() {
        store("messages", new Document("_id", "m1").append("userId", "u-1"),
                new Document("_id", "m2").append("userId", "u-1"));
        // the first run recorded the messages' count and stopped before deleting them
        harness.mongo.getCollection(SubjectViewPurger.RECORDS).insertOne(new Document("_id", "r-1/messages")
                .append("requestId", "r-1").append("collection", "messages").append("purged", 2L));

        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-1", "r-1"))).isEqualTo(2);
        assertThat(count("messages")).isZero();
    }

    @Test
    void countsAreKeptPerRequest() {
        store("accounts", new Document("_id", "u-1"));
        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-1", "r-1"))).isEqualTo(1);
        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-2", "r-2"))).isZero();
        assertThat(purger.handle(new PurgeSubjectViewsCommand("u-1", "r-1"))).isEqualTo(1);
    }
}
