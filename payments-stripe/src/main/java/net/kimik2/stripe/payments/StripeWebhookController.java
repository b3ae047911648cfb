package net.kimik2.stripe.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.RecordStripeEventCommand;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks/stripe}: verifies the signature on the raw body ({@link Webhook#constructEvent}, 300 s
 * tolerance), records the event id in the inbox (unique, durable) and only then answers 2xx; processing happens
 * asynchronously ({@link StripeEventProcessor}). A forged or stale signature or a malformed body answers 400 and
 * records nothing; a type we do not handle is acknowledged without being recorded; a duplicate id answers 200.
 */
@RestController
class StripeWebhookController {

    private static final Logger log = LoggerFactory.getLogger(StripeWebhookController.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StripeSettings settings;
    private final CommandGateway commands;

    StripeWebhookController(StripeSettings settings, CommandGateway commands) {
        this.settings = settings;
        this.commands = commands;
    }

    @PostMapping(path = "/webhooks/stripe", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> receive(@RequestBody(required = false) byte[] body,
            @RequestHeader(name = "Stripe-Signature", required = false) String signature) {
        if (!settings.webhooksEnabled()) {
            return refuse("webhooks are not configured");
        }
        if (body == null || signature == null) {
            return refuse("a signed body is required");
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        Event event;
        try {
            event = Webhook.constructEvent(payload, signature, settings.webhookSecret(),
                    StripeSettings.WEBHOOK_TOLERANCE_SECONDS);
        } catch (SignatureVerificationException e) {
            return refuse("invalid signature");
        } catch (RuntimeException e) {
            return refuse("malformed event");
        }
        String objectId = objectId(event);
        if (event.getId() == null || event.getType() == null || objectId == null) {
            return refuse("malformed event");
        }
        if (!StripeEventProcessor.HANDLED_TYPES.contains(event.getType())) {
            return ResponseEntity.ok(Map.of("received", true, "ignored", true));
        }
        Instant created = event.getCreated() == null ? null : Instant.ofEpochSecond(event.getCreated());
        RecordStripeEventCommand command = new RecordStripeEventCommand(PaymentIds.stripeEvent(event.getId()),
                event.getId(), event.getType(), objectId, created);
        boolean recorded;
        try {
            recorded = Boolean.TRUE.equals(commands.sendAndWait(command));
        } catch (RuntimeException e) {
            // the same id delivered twice at once loses the race on the inbox's unique key: the other delivery
            // recorded it, which the retry sees; anything else fails again and Stripe redelivers later
            recorded = Boolean.TRUE.equals(commands.sendAndWait(command));
        }
        return ResponseEntity.ok(Map.of("received", true, "duplicate", !recorded));
    }

    /** The id of the event's object, read from the raw JSON so it works for any type and API version. */
    private static String objectId(Event event) {
        try {
            JsonNode id = JSON.readTree(event.getDataObjectDeserializer().getRawJson()).path("id");
            if (id.isTextual() && !id.asText().isBlank() && id.asText().length() <= 255) {
                return id.asText();
            }
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("event without a readable object");
        }
        return null;
    }

    private static ResponseEntity<Map<String, Object>> refuse(String message) {
        return ResponseEntity.badRequest().body(Map.of("error", message));
    }
}
