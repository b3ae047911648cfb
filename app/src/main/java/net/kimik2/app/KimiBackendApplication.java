package net.kimik2.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication(scanBasePackages = "net.kimik2")
public class KimiBackendApplication {

    public static void main(String[] args) {
        // A privacy product does not phone home: Axon's update checker stays off unless explicitly enabled.
        if (System.getProperty("axoniq.update-checker.disabled") == null && System.getenv("AXONIQ_UPDATE_CHECKER_DISABLED") == null) {
            System.setProperty("axoniq.update-checker.disabled", "true");
        }
        SpringApplication.run(KimiBackendApplication.class, args);
    }
}
