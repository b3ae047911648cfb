package net.kimik2.axon.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewStoreBackendTest {

    @TempDir
    Path dir;

    private static <T> T withCollection(MongoBackend backend, Function<MongoCollection<Document>, T> work) {
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", 0);
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort())) {
            return work.apply(client.getDatabase("kimi").getCollection("view"));
        } finally {
            server.shutdownNow();
        }
    }

    private static List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(java.util.UUID.nameUUIDFromBytes(("doc-" + i).getBytes()).toString());
        }
        return ids;
    }

    @Test
    void opensAStoreWrittenByThePlainBackendAndKeepsItsUniqueIndexConsistent() {
        String file = dir.resolve("views.mv.db").toString();
        withCollection(new H2Backend(file), c -> {
            ids(0, 2000).forEach(id -> c.insertOne(new Document("_id", id).append("n", 1)));
            return null;
        });

        withCollection(new ViewStoreBackend(file), c -> {
            // every old document is found through the index, and a second insert of it is refused
            for (String id : ids(0, 2000)) {
                assertThat(c.find(Filters.eq("_id", id)).first()).as(id).isNotNull();
            }
            assertThatThrownBy(() -> c.insertOne(new Document("_id", ids(1500, 1501).get(0))))
                    .isInstanceOf(MongoWriteException.class).hasMessageContaining("duplicate key");
            ids(2000, 4000).forEach(id -> c.replaceOne(Filters.eq("_id", id), new Document("_id", id).append("n", 2),
                    new ReplaceOptions().upsert(true)));
            ids(0, 100).forEach(id -> c.deleteOne(Filters.eq("_id", id)));
            assertThat(c.countDocuments()).isEqualTo(3900);
            return null;
        });

        // and the plain backend still reads what the faster one wrote: the order on disk did not change
        withCollection(new H2Backend(file), c -> {
            for (String id : ids(100, 4000)) {
                assertThat(c.find(Filters.eq("_id", id)).first()).as(id).isNotNull();
            }
            assertThat(c.find(Filters.eq("_id", ids(50, 51).get(0))).first()).isNull();
            assertThatThrownBy(() -> c.insertOne(new Document("_id", ids(3999, 4000).get(0))))
                    .isInstanceOf(MongoWriteException.class);
            return null;
        });
    }

    @Test
    void droppedCollectionStartsWithAnEmptyIndex() {
        String file = dir.resolve("drop.mv.db").toString();
        withCollection(new ViewStoreBackend(file), c -> {
            ids(0, 500).forEach(id -> c.insertOne(new Document("_id", id)));
            c.drop();
            ids(0, 500).forEach(id -> c.insertOne(new Document("_id", id)));
            assertThat(c.countDocuments()).isEqualTo(500);
            return null;
        });
    }
}
