// The default app: the seed article's cluster (GKE, passthrough load balancer). `npm run synth`
// (cdk8s synth) runs this file.
import { App } from 'cdk8s';
import { writeSourceIpReport } from './analysis';
import { IstioVersion } from './istio-version';
import { InterceptionMode } from './mesh';
import { writeMeshConfig } from './policy/mesh-config';
import { SEED_APP_NAMESPACE, SeedScenario } from './seed';
import { Warnings } from './warnings';

// No construct-metadata.json in dist/: `kubectl apply -f dist/` reads every file there.
const app = new App({ recordConstructMetadata: false });
// ISTIO_VERSION=1.20 npm run synth: the same app for an older control plane (a contract: keep the name).
if (process.env.ISTIO_VERSION !== undefined) {
  IstioVersion.of(process.env.ISTIO_VERSION).applyTo(app);
}
new SeedScenario(app, 'source-ip');
app.synth();
// dist/report/source-ip-report.md: what each layer sees of the client, for a normal and a forged request.
writeSourceIpReport(app, {
  app: { name: 'echo-server', interceptionMode: InterceptionMode.TPROXY },
  tryIt: { eastWest: { namespace: SEED_APP_NAMESPACE, interceptionMode: InterceptionMode.TPROXY } },
});
// dist/mesh-config/: the access log provider, for istioctl and the istiod chart.
writeMeshConfig(app);
Warnings.print(app);
