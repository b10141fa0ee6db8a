// The manifest analyzer: istioctl analyze's rules that matter for a client-IP path, plus the
// working-path rules, over plain parsed manifests. Imports no construct.
export { analyzeManifests } from './analyze';
export { checkApplyFolder, KUBECTL_FILE_EXTENSIONS, readApplyFolder } from './apply-folder';
export type { ApplyFolderContents, FolderManifest } from './apply-folder';
export { ANALYSIS_RULES, formatFinding } from './rules';
export type { AnalysisRule } from './rules';
export { AnalysisLevel, ISTIO_DEFAULT_PROFILE_GATEWAY } from './types';
export type {
  AnalysisFinding, AnalyzeOptions, ExistingNamespace, InstalledGateway, InstalledGatewayPort, ManifestRef, ProxyProtocolAnnotation,
} from './types';
