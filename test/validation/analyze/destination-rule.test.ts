import { codes, destinationRule, service } from './manifests';

const echo = service('apps', 'echo-server', { app: 'echo' }, [{ port: 80, name: 'http' }]);

describe('IST0174 UnknownDestinationRuleHost', () => {
  test('fires on a host that matches no Service, naming the Service of the same name', () => {
    const found = codes([destinationRule('default', 'sticky', 'echo-server'), echo], 'IST0174');
    expect(found).toHaveLength(1);
    expect(found[0].message).toBe('The host echo-server defined in the DestinationRule does not match any services in the mesh.');
    expect(found[0].fix).toMatch(/Service apps\/echo-server exists: write its host as "echo-server.apps.svc.cluster.local"/);
  });

  test('fires on a host with no Service at all', () => {
    expect(codes([destinationRule('default', 'sticky', 'example-service')], 'IST0174')).toHaveLength(1);
  });

  test('stays quiet for a short name in the same namespace, and for the FQDN from elsewhere', () => {
    expect(codes([destinationRule('apps', 'sticky', 'echo-server'), echo], 'IST0174')).toEqual([]);
    expect(codes([destinationRule('default', 'sticky', 'echo-server.apps.svc.cluster.local'), echo], 'IST0174')).toEqual([]);
  });

  test('honours the Service exportTo annotation', () => {
    const hidden = service('apps', 'echo-server', { app: 'echo' }, [{ port: 80, name: 'http' }], { annotations: { 'networking.istio.io/exportTo': '.' } });
    expect(codes([destinationRule('default', 'sticky', 'echo-server.apps.svc.cluster.local'), hidden], 'IST0174')).toHaveLength(1);
    expect(codes([destinationRule('apps', 'sticky', 'echo-server'), hidden], 'IST0174')).toEqual([]);
  });
});
