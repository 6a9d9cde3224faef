import type { FastifyInstance } from 'fastify';
import type { DashboardService } from './dashboard.service.js';

/** Registers GET /api/dashboard (inside the admin session scope): the console's home page in one read. */
export async function dashboardRoutes(app: FastifyInstance, opts: { dashboard: DashboardService }): Promise<void> {
  app.get('/api/dashboard', async (_request, reply) => {
    // Counts and warnings change by the minute: no cache keeps an old picture.
    void reply.header('cache-control', 'no-store');
    return opts.dashboard.read();
  });
}
