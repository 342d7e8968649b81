package ai.diffad.cli;

import ai.diffad.config.Check;
import ai.diffad.config.ConfigException;
import ai.diffad.config.DenoiseMode;
import ai.diffad.config.MapKind;
import ai.diffad.config.NoiseKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.config.TileViews;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleKind;
import picocli.CommandLine;

/** Picocli converters that accept the configuration spellings and name the allowed values. */
final class EnumConverters {
  private EnumConverters() {}

  private static <E extends Enum<E> & Check.Named> E convert(Class<E> type, String text) {
    try {
      return Check.named("", type, text);
    } catch (ConfigException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** schedule kinds. */
  static final class Schedule implements CommandLine.ITypeConverter<ScheduleKind> {
    @Override
    public ScheduleKind convert(String value) {
      return EnumConverters.convert(ScheduleKind.class, value);
    }
  }

  /** sampler kinds. */
  static final class Sampler implements CommandLine.ITypeConverter<SamplerKind> {
    @Override
    public SamplerKind convert(String value) {
      return EnumConverters.convert(SamplerKind.class, value);
    }
  }

  /** noise kinds. */
  static final class Noise implements CommandLine.ITypeConverter<NoiseKind> {
    @Override
    public NoiseKind convert(String value) {
      return EnumConverters.convert(NoiseKind.class, value);
    }
  }

  /** map kinds. */
  static final class Map implements CommandLine.ITypeConverter<MapKind> {
    @Override
    public MapKind convert(String value) {
      return EnumConverters.convert(MapKind.class, value);
    }
  }

  /** score reductions. */
  static final class Reduction implements CommandLine.ITypeConverter<ScoreReduction> {
    @Override
    public ScoreReduction convert(String value) {
      return EnumConverters.convert(ScoreReduction.class, value);
    }
  }

  /** test-time views. */
  static final class TileViewsConverter implements CommandLine.ITypeConverter<TileViews> {
    @Override
    public TileViews convert(String value) {
      return EnumConverters.convert(TileViews.class, value);
    }
  }

  /** denoise modes. */
  static final class Mode implements CommandLine.ITypeConverter<DenoiseMode> {
    @Override
    public DenoiseMode convert(String value) {
      return EnumConverters.convert(DenoiseMode.class, value);
    }
  }
}
