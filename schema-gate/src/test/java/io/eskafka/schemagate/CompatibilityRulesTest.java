package io.eskafka.schemagate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CompatibilityRulesTest {

  private static CompatibilityRules parse(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    return CompatibilityRules.parse(properties, "test.properties");
  }

  @Test
  void mostSpecificKeyWins() throws IOException {
    CompatibilityRules rules = parse("""
        default=BACKWARD_TRANSITIVE
        shop=FORWARD
        shop.commands=FULL_TRANSITIVE
        shop.commands.Checkout=FULL
        """);

    assertThat(rules.modeFor("shop.commands.Checkout")).isEqualTo(CompatibilityMode.FULL);
    assertThat(rules.modeFor("shop.commands.AddItem")).isEqualTo(CompatibilityMode.FULL_TRANSITIVE);
    assertThat(rules.modeFor("shop.events.ItemAdded")).isEqualTo(CompatibilityMode.FORWARD);
    assertThat(rules.modeFor("bank.events.AccountOpened")).isEqualTo(CompatibilityMode.BACKWARD_TRANSITIVE);
  }

  @Test
  void namespaceKeyDoesNotMatchAMereNamePrefix() throws IOException {
    CompatibilityRules rules = parse("default=BACKWARD\nshop.command=FULL\n");

    assertThat(rules.modeFor("shop.commands.AddItem")).isEqualTo(CompatibilityMode.BACKWARD);
    assertThat(rules.unusedKeys(List.of("shop.commands.AddItem"))).containsExactly("shop.command");
  }

  @Test
  void modesAreCaseInsensitive() throws IOException {
    assertThat(parse("default=full_transitive\n").defaultMode()).isEqualTo(CompatibilityMode.FULL_TRANSITIVE);
  }

  @Test
  void unknownModeIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("default=BACKWARD\nshop.commands=STRICT\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.properties: key 'shop.commands' has unknown mode 'STRICT'");
  }

  @Test
  void missingDefaultIsRefused() {
    assertThatThrownBy(() -> parse("shop.commands=FULL\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing 'default=<mode>'");
  }

  @Test
  void keyThatIsNotANameIsRefused() {
    assertThatThrownBy(() -> parse("default=FULL\nshop/commands=FULL\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key 'shop/commands'");
  }
}
