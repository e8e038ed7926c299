package dev.fletch.cli;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.Problem;
import dev.fletch.core.model.DataMismatch;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.Settings;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.registry.Registry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a command works with: the repository folder, its settings, and the stores, opened on first
 * use and closed together. The only place that picks implementations.
 */
public final class CliContext implements AutoCloseable {
  private final Path repoRoot;
  private final Supplier<Settings> settingsLoader;
  private final PrintStream out;
  private final PrintStream err;
  private Settings settings;
  private Registry registry;
  private OnlineStore onlineStore;
  private OfflineStore offlineStore;

  public CliContext(
      Path repoRoot, Supplier<Settings> settingsLoader, PrintStream out, PrintStream err) {
    this.repoRoot = requireNonNull(repoRoot, "repoRoot is null").toAbsolutePath().normalize();
    this.settingsLoader = requireNonNull(settingsLoader, "settingsLoader is null");
    this.out = requireNonNull(out, "out is null");
    this.err = requireNonNull(err, "err is null");
  }

  public Path repoRoot() {
    return repoRoot;
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  public synchronized Settings settings() {
    if (settings == null) {
      settings = settingsLoader.get();
    }
    return settings;
  }

  public synchronized Registry registry() {
    if (registry == null) {
      registry = Registry.open(settings().registryUrl());
    }
    return registry;
  }

  public synchronized OnlineStore onlineStore() {
    if (onlineStore == null) {
      onlineStore = OnlineStores.open(settings());
    }
    return onlineStore;
  }

  public synchronized OfflineStore offlineStore() {
    if (offlineStore == null) {
      offlineStore =
          new DuckDbOfflineStore(
              dev.fletch.core.settings.OfflineSettings.load(repoRoot), java.util.Map.of());
    }
    return offlineStore;
  }

  /** Loads and validates the YAML definitions of the repository folder. */
  public FeatureRepo loadRepo() {
    return dev.fletch.core.yaml.RepoLoader.load(repoRoot);
  }

  /**
   * Loads and validates the YAML definitions; with {@code readData}, also checks them against each
   * source's files (the offline store reads their schemas, no rows), every mismatch reported at its
   * file, line and column like a YAML problem (DefinitionException). Without it, local source paths
   * need not match files either: for machines that do not hold the data.
   */
  public FeatureRepo loadRepo(boolean readData) {
    var loaded =
        dev.fletch.core.yaml.RepoLoader.loadLocated(
            repoRoot, readData, dev.fletch.core.settings.OfflineSettings.load(repoRoot));
    if (readData) {
      List<Problem> problems = dataProblems(loaded);
      if (!problems.isEmpty()) {
        throw new DefinitionException(problems);
      }
    }
    return loaded.repo();
  }

  /** The mismatches between a loaded repository and its sources' files, located, sorted. */
  public List<Problem> dataProblems(dev.fletch.core.yaml.RepoLoader.Located loaded) {
    List<Problem> problems = new ArrayList<>();
    for (DataMismatch m : offlineStore().checkSources(loaded.repo())) {
      problems.add(loaded.locations().problem(m.at(), m.message()));
    }
    problems.sort(
        Comparator.comparing(Problem::file)
            .thenComparingInt(Problem::line)
            .thenComparingInt(Problem::column));
    return problems;
  }

  @Override
  public synchronized void close() {
    if (onlineStore != null) {
      onlineStore.close();
      onlineStore = null;
    }
    if (offlineStore != null) {
      offlineStore.close();
      offlineStore = null;
    }
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }
}
