// The default app: the seed article's scenario. `npm run synth` (cdk8s synth) runs this file.
import { App } from 'cdk8s';
import { writeSourceIpReport } from './analysis';
import { InterceptionMode } from './interception';
import { SeedScenario } from './seed';
import { Warnings } from './warnings';

const app = new App();
new SeedScenario(app, 'source-ip');
app.synth();
// dist/source-ip-report.md: what each layer sees of the client, for a normal and a forged request.
writeSourceIpReport(app, { app: { name: 'echo-server', interceptionMode: InterceptionMode.TPROXY } });
Warnings.print(app);
