package net.kimik2.axon.platform;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.type.ObjectDataType;

/**
 * mongo-java-server's H2 (MVStore) backend with a faster key comparison in its unique indexes, same file format.
 *
 * <p>The backend keeps each unique index (every collection's {@code _id} index among them) as an MVStore map keyed
 * by {@link KeyValue}. KeyValue is not {@link Comparable}, so H2's {@link ObjectDataType} orders these keys by their
 * Java-serialised bytes and serialises both keys for every comparison of every B-tree search: in a replay of all
 * views this was three quarters of the view store's CPU once the full scans were gone (issue 11). Here the
 * comparison is the same byte order, with each key's bytes computed once per key object (the search key, and the
 * keys of the pages H2 keeps in memory) and held in a weak-keyed cache. The order on disk therefore does not change,
 * and existing view stores open as before.
 */
public class ViewStoreBackend extends H2Backend {

    public ViewStoreBackend(String fileName) {
        super(fileName);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new H2Database(databaseName, getMvStore(), getCursorRegistry()) {
            @Override
            protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName,
                                                            List<IndexKey> keys, boolean sparse) {
                // opened first with the faster key type; the backend's own openMap(name) then finds this map open
                getMvStore().openMap(getFullCollectionNamespace(collectionName) + "._index_" + indexName,
                        new MVMap.Builder<KeyValue, Object>().keyType(new KeyValueType()));
                return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
            }
        };
    }

    /** {@link ObjectDataType} with KeyValue comparisons over cached serialised forms (the same order as H2's). */
    static final class KeyValueType extends ObjectDataType {

        private static final Cache<Object, byte[]> BYTES = Caffeine.newBuilder().weakKeys().maximumSize(500_000).build();

        @Override
        public int compare(Object a, Object b) {
            if (a instanceof KeyValue && b instanceof KeyValue) {
                if (a == b) {
                    return 0;
                }
                return compareNotNull(bytes(a), bytes(b));
            }
            return super.compare(a, b);
        }

        private static byte[] bytes(Object key) {
            return BYTES.get(key, ObjectDataType::serialize);
        }
    }
}
