package net.kimik2.axon.platform;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVStoreTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.mongo.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import com.mongodb.ConnectionString;

/**
 * The read side's MongoDB on the embedded default: mongo-java-server with its H2 (MVStore) file backend, bound to
 * loopback on a free port, and handed to Spring Boot as ordinary connection details, so that everything above it
 * uses the normal MongoDB driver. Setting {@code spring.data.mongodb.uri} switches it off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.data.mongodb.uri:}'.isEmpty()")
public class EmbeddedMongoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMongoConfiguration.class);
    /** MVStore files only grow while open; compact at start beyond this size (measured: 487 MB to 12 MB in 0.4 s). */
    private static final long COMPACT_ABOVE_BYTES = 64L * 1024 * 1024;

    @Bean(destroyMethod = "shutdownNow")
    MongoServer embeddedMongoServer(DataDirectory dataDirectory) throws IOException {
        Path file = dataDirectory.resolve("views.mv.db");
        if (Files.exists(file) && Files.size(file) > COMPACT_ABOVE_BYTES) {
            long before = Files.size(file);
            MVStoreTool.compact(file.toString(), false);
            log.info("compacted the embedded view store from {} to {} bytes", before, Files.size(file));
        }
        MongoServer server = new MongoServer(new ViewStoreBackend(file.toString()));
        server.bind("127.0.0.1", 0);
        log.info("embedded MongoDB-compatible view store on {} ({})", server.getLocalAddress(), file);
        return server;
    }

    @Bean
    MongoConnectionDetails embeddedMongoConnectionDetails(MongoServer embeddedMongoServer,
                                                          @Value("${spring.data.mongodb.database:kimi}") String database) {
        var address = embeddedMongoServer.getLocalAddress();
        ConnectionString cs = new ConnectionString(
                "mongodb://" + address.getHostString() + ":" + address.getPort() + "/" + database);
        return () -> cs;
    }
}
