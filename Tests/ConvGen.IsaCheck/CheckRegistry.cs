using System.Diagnostics;
using System.Reflection;

namespace ConvGen.IsaCheck;

/// <summary>A discovered check: its name and how to run it.</summary>
public sealed record RegisteredCheck(string Name, MethodInfo Method)
{
    /// <summary>Runs the check; an exception counts as a failure.</summary>
    public CheckResult Run()
    {
        var context = new CheckContext();
        var clock = Stopwatch.StartNew();
        try
        {
            Method.Invoke(null, [context]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            context.Fail($"threw {e.InnerException.GetType().Name}: {e.InnerException.Message}");
        }

        return new CheckResult(Name, context.Cases, context.Failures.ToArray(), clock.Elapsed);
    }
}

/// <summary>The outcome of one check.</summary>
public sealed record CheckResult(string Name, int Cases, string[] Failures, TimeSpan Elapsed)
{
    /// <summary>Passed when at least one case ran and none failed.</summary>
    public bool Passed => Cases > 0 && Failures.Length == 0;

    /// <summary>"PASS name (n cases, t ms)" or "FAIL name: first failures".</summary>
    public override string ToString() => Passed
        ? $"PASS {Name} ({Cases} cases, {Elapsed.TotalMilliseconds:F0} ms)"
        : Cases == 0
            ? $"FAIL {Name}: no cases ran"
            : $"FAIL {Name} ({Failures.Length} of {Cases} cases): {string.Join(" | ", Failures.Take(3))}";
}

/// <summary>Finds the [IsaCheck] methods of an assembly.</summary>
public static class CheckRegistry
{
    /// <summary>Every <c>static void M(CheckContext)</c> marked [IsaCheck], ordered by name; throws on a bad signature or a duplicate name.</summary>
    public static IReadOnlyList<RegisteredCheck> Discover(Assembly assembly)
    {
        var checks = new List<RegisteredCheck>();
        foreach (Type type in assembly.GetTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                IsaCheckAttribute? attribute = method.GetCustomAttribute<IsaCheckAttribute>();
                if (attribute is null) continue;
                ParameterInfo[] parameters = method.GetParameters();
                if (method.ReturnType != typeof(void) || parameters.Length != 1 || parameters[0].ParameterType != typeof(CheckContext))
                    throw new InvalidOperationException($"[IsaCheck] {type.FullName}.{method.Name} must be static void M(CheckContext).");
                checks.Add(new RegisteredCheck(attribute.Name, method));
            }
        }

        checks.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (int i = 1; i < checks.Count; i++)
            if (checks[i].Name == checks[i - 1].Name)
                throw new InvalidOperationException($"Two [IsaCheck] methods are named '{checks[i].Name}'.");
        return checks;
    }
}
