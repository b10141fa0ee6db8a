// The default app: the seed article's scenario. `npm run synth` (cdk8s synth) runs this file.
import { App } from 'cdk8s';
import { SeedScenario } from './seed';
import { Warnings } from './warnings';

const app = new App();
new SeedScenario(app, 'source-ip');
app.synth();
Warnings.print(app);
