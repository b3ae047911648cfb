package net.kimik2.graphql.platform.schema;

import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class PingController {

    @QueryMapping
    boolean ping() {
        return true;
    }

    @MutationMapping
    boolean noop() {
        return true;
    }
}
