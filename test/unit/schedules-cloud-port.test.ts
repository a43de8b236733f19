/** The cloud side of the scheduling port: EventBridge Scheduler's CreateSchedule / DeleteSchedule. */
import { ConflictException, CreateScheduleCommand, type DeleteScheduleCommand, ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import { cloudScheduler, ScheduleAlreadyExists } from '../../functions/kit/scheduler';

const env = {
  SCHEDULE_GROUP_NAME: 'control-plane-dev',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
  SCHEDULE_TARGET_ARNS: JSON.stringify({ 'bookings/start': 'arn:aws:lambda:us-east-1:123456789012:function:start' }),
};

function client(answer: (command: unknown) => unknown = () => ({})) {
  const sent: unknown[] = [];
  return {
    sent,
    send: jest.fn(async (command: unknown) => {
      sent.push(command);
      return answer(command);
    }),
  };
}

describe('cloudScheduler', () => {
  it('creates a one-time, self-deleting schedule in UTC that invokes the target function with the input', async () => {
    // Prepare
    const fake = client();
    // Act
    await cloudScheduler(fake as never, env).scheduleOnce('bkg-1-start', new Date('2030-05-01T10:00:00.250Z'), {
      handler: 'bookings/start',
      input: { bookingId: 'bkg-1' },
    });
    // Assess
    const command = fake.sent[0] as CreateScheduleCommand;
    expect(command).toBeInstanceOf(CreateScheduleCommand);
    expect(command.input).toEqual({
      Name: 'bkg-1-start',
      GroupName: 'control-plane-dev',
      ScheduleExpression: 'at(2030-05-01T10:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:lambda:us-east-1:123456789012:function:start',
        RoleArn: env.SCHEDULER_ROLE_ARN,
        Input: '{"bookingId":"bkg-1"}',
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
  });

  it('maps a name in use to ScheduleAlreadyExists', async () => {
    const fake = client(() => {
      throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    });
    await expect(
      cloudScheduler(fake as never, env).scheduleOnce('taken', new Date(), { handler: 'bookings/start', input: {} }),
    ).rejects.toBeInstanceOf(ScheduleAlreadyExists);
  });

  it('refuses a target the stack did not make a schedule target, before calling AWS', async () => {
    const fake = client();
    await expect(
      cloudScheduler(fake as never, env).scheduleOnce('x', new Date(), { handler: 'other/thing', input: {} }),
    ).rejects.toThrow(/not a schedule target/);
    expect(fake.send).not.toHaveBeenCalled();
  });

  it('deletes a schedule by name, and says false when it is gone already', async () => {
    // Prepare
    const found = client();
    const gone = client(() => {
      throw new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });
    });
    // Act
    const deleted = await cloudScheduler(found as never, env).cancelSchedule('bkg-1-start');
    const missing = await cloudScheduler(gone as never, env).cancelSchedule('bkg-1-start');
    // Assess
    expect(deleted).toBe(true);
    expect(missing).toBe(false);
    expect((found.sent[0] as DeleteScheduleCommand).input).toEqual({ Name: 'bkg-1-start', GroupName: 'control-plane-dev' });
  });

  it('says which setting is missing', async () => {
    await expect(cloudScheduler(client() as never, {}).cancelSchedule('x')).rejects.toThrow(/SCHEDULE_GROUP_NAME is not set/);
  });
});
