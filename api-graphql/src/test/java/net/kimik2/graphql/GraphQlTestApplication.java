package net.kimik2.graphql;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The configuration the test slices start from: this module's components, filtered by each slice. */
@SpringBootApplication
public class GraphQlTestApplication {
}
