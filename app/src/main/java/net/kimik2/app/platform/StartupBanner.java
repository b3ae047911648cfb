package net.kimik2.app.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/** One line that tells where to point a client once the service accepts requests. */
@Component
class StartupBanner implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

    private final String dataDir;

    StartupBanner(@Value("${kimi.data-dir}") String dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (event.getApplicationContext() instanceof WebServerApplicationContext web) {
            int port = web.getWebServer().getPort();
            log.info("Kimi backend ready: GraphQL at http://localhost:{}/graphql, GraphiQL at http://localhost:{}/graphiql"
                    + " (data directory {})", port, port, java.nio.file.Path.of(dataDir).toAbsolutePath().normalize());
        }
    }
}
