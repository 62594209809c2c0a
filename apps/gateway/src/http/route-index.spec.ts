import { RouteIndex } from './route-index';

describe('RouteIndex', () => {
  const index = new RouteIndex();
  index.add('GET', '/v1/organizations/:orgId');
  index.add('PATCH', '/v1/organizations/:orgId');
  index.add('HEAD', '/v1/organizations/:orgId');
  index.add('GET', '/docs/*');

  it('lists the methods a concrete path is served with', () => {
    expect(index.allowedMethods('/v1/organizations/123?x=1')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(index.allowedMethods('/v1/organizations/123/')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(index.allowedMethods('/docs/swagger-ui.css')).toEqual(['GET']);
  });

  it('finds nothing for paths no route has', () => {
    expect(index.allowedMethods('/v1/organizations')).toEqual([]);
    expect(index.allowedMethods('/v1/organizations/1/2')).toEqual([]);
  });
});
