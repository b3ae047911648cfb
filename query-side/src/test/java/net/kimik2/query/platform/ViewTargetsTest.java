package net.kimik2.query.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Indexes;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Replays into shadow collections on a real MongoDB-protocol server: the old view serves until the switch. */
class ViewTargetsTest {

    @Test
    void aShadowReplayLeavesTheOldViewServingThenReplacesItWithItsIndexes() throws Exception {
        try (ProjectionHarness harness = new ProjectionHarness((mongo, emitter) -> List.of(new Object() {
            @org.axonframework.eventhandling.EventHandler
            void on(String ignored) {
            }
        }))) {
            var mongo = harness.mongo;
            mongo.getCollection("v").insertOne(new Document("_id", "a").append("n", 1));
            mongo.getCollection("v").createIndex(Indexes.ascending("n"));
            ViewTargets targets = new ViewTargets();

            targets.beginShadow("p");
            targets.resetting("p", () -> ViewCollections.drop(mongo, "v"));
            assertThat(mongo.getCollection("v").countDocuments()).as("old view still there").isEqualTo(1);
            assertThat(targets.writeTarget("p", "v")).isEqualTo("v__replay");
            mongo.getCollection(targets.writeTarget("p", "v")).insertOne(new Document("_id", "b").append("n", 2));
            assertThat(mongo.getCollection("v").find().first().getString("_id")).isEqualTo("a");

            targets.switchToLive("p", mongo);
            assertThat(mongo.getCollection("v").find().into(new java.util.ArrayList<>()))
                    .extracting(d -> d.getString("_id")).containsExactly("b");
            assertThat(mongo.collectionExists("v__replay")).isFalse();
            assertThat(mongo.getCollection("v").listIndexes().into(new java.util.ArrayList<>()))
                    .extracting(d -> d.getString("name")).contains("n_1");
            assertThat(targets.writeTarget("p", "v")).isEqualTo("v");
        }
    }

    @Test
    void aCancelledReplayDropsTheShadowAndKeepsTheOldView() throws Exception {
        try (ProjectionHarness harness = new ProjectionHarness((mongo, emitter) -> List.of(new Object() {
            @org.axonframework.eventhandling.EventHandler
            void on(String ignored) {
            }
        }))) {
            var mongo = harness.mongo;
            mongo.getCollection("v").insertOne(new Document("_id", "a"));
            ViewTargets targets = new ViewTargets();
            targets.beginShadow("p");
            mongo.getCollection(targets.writeTarget("p", "v")).insertOne(new Document("_id", "b"));

            targets.cancel("p", mongo);
            assertThat(mongo.collectionExists("v__replay")).isFalse();
            assertThat(mongo.getCollection("v").find().first().getString("_id")).isEqualTo("a");
            assertThat(targets.isShadowed("p")).isFalse();
        }
    }
}
