/**
 * What `prereqs` knows about common tools: how to ask each for its version, how to read the
 * answer, and how to install it on each OS. Tools not in the table use `<name> --version` and
 * the first `x.y[.z]` token of the output.
 */
import { extractVersion, formatVersion, parseVersion, type Version } from './semver.js';

/** Install hints by `process.platform`. */
export type PlatformHints = Partial<Record<NodeJS.Platform, string>> & { default: string };

/** Knowledge about one tool. */
export interface KnownTool {
  /** argv that prints the version (must not need a daemon, a cluster or a login). */
  command: string[];
  /** Reads the version from stdout (+ stderr). Null when it cannot. */
  parse?: (output: string) => Version | null;
  install: PlatformHints;
}

/** Reads `path` (dotted) from JSON output, then parses it as a version. */
function fromJson(path: string): (output: string) => Version | null {
  return (output) => {
    const start = output.indexOf('{');
    if (start >= 0) {
      try {
        let v: unknown = JSON.parse(output.slice(start, output.lastIndexOf('}') + 1));
        for (const key of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[key];
        if (typeof v === 'string') return parseVersion(v) ?? extractVersion(v);
      } catch {
        // fall through to free-text extraction
      }
    }
    return extractVersion(output);
  };
}

/** The built-in table. */
export const KNOWN_TOOLS: Readonly<Record<string, KnownTool>> = {
  docker: {
    command: ['docker', '--version'], // "Docker version 28.2.2, build e6534b4" (no daemon needed)
    install: {
      darwin: 'install Docker Desktop: brew install --cask docker (https://docs.docker.com/desktop/setup/install/mac-install/)',
      linux: 'see https://docs.docker.com/engine/install/',
      win32: 'winget install Docker.DockerDesktop',
      default: 'see https://docs.docker.com/get-started/get-docker/',
    },
  },
  kind: {
    command: ['kind', 'version'], // "kind v0.23.0 go1.22.2 linux/amd64"
    install: {
      darwin: 'brew install kind',
      linux: 'see https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
      win32: 'winget install Kubernetes.kind',
      default: 'see https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
    },
  },
  helm: {
    command: ['helm', 'version', '--short'], // "v3.17.0+g301108e" (helm 2: "Client: v2.17.0+ga690bad")
    install: {
      darwin: 'brew install helm',
      linux: 'see https://helm.sh/docs/intro/install/',
      win32: 'winget install Helm.Helm',
      default: 'see https://helm.sh/docs/intro/install/',
    },
  },
  kubectl: {
    command: ['kubectl', 'version', '--client', '-o', 'json'], // {"clientVersion":{"gitVersion":"v1.35.0",...}}
    parse: fromJson('clientVersion.gitVersion'),
    install: {
      darwin: 'brew install kubectl',
      linux: 'see https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/',
      win32: 'winget install Kubernetes.kubectl',
      default: 'see https://kubernetes.io/docs/tasks/tools/',
    },
  },
  az: {
    command: ['az', 'version', '-o', 'json'], // {"azure-cli": "2.67.0", ...}
    parse: fromJson('azure-cli'),
    install: {
      darwin: 'brew install azure-cli',
      linux: 'curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash (Debian/Ubuntu), or see https://learn.microsoft.com/cli/azure/install-azure-cli-linux',
      win32: 'winget install Microsoft.AzureCLI',
      default: 'see https://learn.microsoft.com/cli/azure/install-azure-cli',
    },
  },
  gh: {
    command: ['gh', '--version'], // "gh version 2.63.0 (2024-11-27)"
    install: {
      darwin: 'brew install gh',
      linux: 'see https://github.com/cli/cli/blob/trunk/docs/install_linux.md',
      win32: 'winget install GitHub.cli',
      default: 'see https://cli.github.com/',
    },
  },
  git: {
    command: ['git', '--version'], // "git version 2.39.5"
    install: {
      darwin: 'xcode-select --install, or brew install git',
      linux: 'sudo apt-get install -y git (or your distribution\'s package manager)',
      win32: 'winget install Git.Git',
      default: 'see https://git-scm.com/downloads',
    },
  },
  jq: {
    command: ['jq', '--version'], // "jq-1.6" / "jq-1.7.1"
    install: {
      darwin: 'brew install jq',
      linux: 'sudo apt-get install -y jq (or see https://jqlang.org/download/)',
      win32: 'winget install jqlang.jq',
      default: 'see https://jqlang.org/download/',
    },
  },
  bash: {
    command: ['bash', '--version'], // "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)"
    install: {
      darwin: 'brew install bash (macOS ships bash 3.2)',
      linux: 'sudo apt-get install -y bash',
      win32: 'use WSL or Git Bash (winget install Git.Git)',
      default: 'install GNU bash from your package manager',
    },
  },
  oras: {
    command: ['oras', 'version'], // "Version:        1.2.0\nGo version: go1.22.3 ..."
    parse: (out) => {
      const m = /^\s*Version:\s*(\S+)/im.exec(out);
      return (m && parseVersion(m[1]!)) || extractVersion(out);
    },
    install: {
      darwin: 'brew install oras',
      linux: 'see https://oras.land/docs/installation',
      win32: 'winget install oras',
      default: 'see https://oras.land/docs/installation',
    },
  },
  curl: {
    command: ['curl', '--version'], // "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 ..."
    install: {
      darwin: 'brew install curl',
      linux: 'sudo apt-get install -y curl',
      win32: 'winget install cURL.cURL',
      default: 'see https://curl.se/download.html',
    },
  },
};

/** The install hint for a tool on a platform; a generic one for unknown tools. */
export function installHint(name: string, platform: NodeJS.Platform = process.platform): string {
  const t = KNOWN_TOOLS[name];
  if (!t) return `install ${name} and make sure it is on PATH`;
  return t.install[platform] ?? t.install.default;
}

/** The argv that prints a tool's version: the table's, or `[name, '--version']`. */
export function versionCommand(name: string): string[] {
  return [...(KNOWN_TOOLS[name]?.command ?? [name, '--version'])];
}

/**
 * Reads a version from a tool's output. `pattern` (a regex source, from the playbook) wins:
 * its first capture group, or the whole match, is the version. Otherwise the table's parser,
 * otherwise the first `x.y[.z]` token. Returns `x.y.z[-pre]`, or null.
 */
export function parseToolVersion(name: string, output: string, pattern?: string): string | null {
  let v: Version | null;
  if (pattern) {
    const m = new RegExp(pattern, 'm').exec(output);
    const text = m ? (m[1] ?? m[0]) : null;
    v = text === null ? null : (parseVersion(text) ?? extractVersion(text));
  } else {
    const parse = KNOWN_TOOLS[name]?.parse ?? extractVersion;
    v = parse(output);
  }
  return v ? formatVersion(v) : null;
}
