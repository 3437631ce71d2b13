package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.testdata.control.ControlKind;
import io.eskafka.testdata.control.Untouched;
import java.io.ByteArrayOutputStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * Control experiment: plain Avro, without AvroSerde's help, refuses a generated class from a
 * package nobody trusted. Uses a class AvroSerde never decodes, so the outcome does not depend on
 * test order.
 */
class AvroClassTrustControlTest {

  @Test
  void plainAvroRefusesAnUntrustedGeneratedClass() throws Exception {
    Untouched record = new Untouched(ControlKind.B);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<Untouched>(Untouched.class).write(record, encoder);
    encoder.flush();
    byte[] bytes = out.toByteArray();

    // Writing needs no class lookup; reading does (already in the reader's constructor).
    assertThatThrownBy(() -> new SpecificDatumReader<>(Untouched.class)
            .read(null, DecoderFactory.get().binaryDecoder(bytes, null)))
        .isInstanceOf(SecurityException.class)
        .hasMessageStartingWith("Forbidden io.eskafka.testdata.control.Untouched!");
    assertThat(AvroClassTrust.isTrusted(Untouched.class)).isFalse();
  }
}
